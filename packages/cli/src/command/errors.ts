// Errors the CLI reports to the user: a UsageError (bad command line, exit code 2) or a CliError (bad input
// or a failed run, exit code 1). Both carry a message meant for a person; neither prints a stack trace.

/** Exit code for a usage error (unknown option, bad option value), as POSIX tools and click do. */
export const EXIT_USAGE = 2;
/** Exit code for a run that failed on its input or its computation. */
export const EXIT_FAILURE = 1;
/** Exit code after Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** The command line itself is wrong: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The input (a file, a dataset, a checkpoint) or the run failed: printed as is, exit code 1 by default. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode: number = EXIT_FAILURE) {
    super(message);
  }
}

/** The run was interrupted (Ctrl-C / SIGTERM) after saving what it had to save. */
export class InterruptedError extends CliError {
  constructor(message = 'interrupted') {
    super(message, EXIT_INTERRUPTED);
  }
}

/** The message of anything thrown, for a one-line report. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
