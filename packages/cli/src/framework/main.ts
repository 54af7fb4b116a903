// Dispatch: `edm <command> [options]`, `edm --help`, `edm <command> --help`, `edm --version`. Turns errors
// into messages and exit codes (2 for usage errors, 1 for failures, 130 after Ctrl-C) and turns the first
// Ctrl-C / SIGTERM into an AbortSignal a command can honour (the second Ctrl-C exits at once).
import type { AnyCommand, CommandContext } from './command';
import { CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError, errorMessage } from './errors';
import { commandHelp, toolHelp } from './help';
import { parseArgs, suggest } from './parse';

/** Streams and environment of a run (the process's own by default; tests may pass their own). */
export interface MainIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || /abort/i.test(e.name));
}

/** Runs the tool; returns the process exit code. */
export async function main(
  commands: readonly AnyCommand[],
  argv: readonly string[],
  version: string,
  io: MainIO = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const err = (line: string) => io.stderr.write(line + '\n');
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const target = first === 'help' ? argv[1] : undefined;
    const command = target === undefined ? undefined : commands.find((c) => c.name === target);
    if (target !== undefined && !command) {
      err(`edm: unknown command '${target}'`);
      return EXIT_USAGE;
    }
    io.stdout.write((command ? commandHelp(command) : toolHelp(commands, version)) + '\n');
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    const hint = suggest(first, commands.map((c) => c.name));
    err(`edm: unknown command '${first}'` + (hint ? `; did you mean '${hint}'?` : '') + `\nRun 'edm --help' for the list of commands.`);
    return EXIT_USAGE;
  }
  const rest = argv.slice(1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(commandHelp(command) + '\n');
    return 0;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      err('edm: interrupted again; exiting now');
      process.exit(EXIT_INTERRUPTED);
    }
    err(`\nedm: ${sig} received; finishing the current step and saving (press Ctrl-C again to exit at once)`);
    controller.abort(new Error(`${sig} received`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: CommandContext = {
    out: (line) => io.stdout.write(line + '\n'),
    log: err,
    progressStream: io.stderr,
    isTTY: Boolean(io.stderr.isTTY),
    signal: controller.signal,
    env: io.env,
  };
  try {
    const args = parseArgs(command, rest);
    const code = await command.run(args, ctx);
    return code ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`edm ${command.name}: error: ${e.message}\nRun 'edm ${command.name} --help' for its options.`);
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      err(`edm ${command.name}: ${e.message}`);
      return e.exitCode;
    }
    if (controller.signal.aborted && isAbort(e)) {
      err(`edm ${command.name}: interrupted`);
      return EXIT_INTERRUPTED;
    }
    err(`edm ${command.name}: ${errorMessage(e)}`);
    if (io.env.EDM_DEBUG && e instanceof Error && e.stack) err(e.stack);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
