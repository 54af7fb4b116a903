// A command of the `edm` tool: its name, help, options and positional arguments, and the function that runs
// it. Adding a command is one file (src/commands/<name>.ts, `export default defineCommand({...})`) plus one line
// in the command table (src/commands/index.ts); src/command/program.ts hands it to commander, which parses,
// prints help, suggests fixes for typos and dispatches.
import type { OptionDef } from './options';

/** Options of a command, keyed by camelCase name (spelled kebab-case on the command line). */
export type OptionTable = Record<string, OptionDef<unknown>>;

/** The parsed values of an option table, each with the type its builder gives. */
export type ParsedOptions<O extends OptionTable> = { [K in keyof O]: O[K] extends OptionDef<infer T> ? T : never };

/** A positional argument (e.g. `edm convert <input> <output>`). */
export interface PositionalDef {
  /** Name shown in usage, e.g. `input`. */
  name: string;
  /** Help text. */
  help: string;
  /** May be omitted (only trailing positionals). */
  optional?: boolean;
}

/** Where a command writes and what it can observe about its environment. */
export interface CommandContext {
  /** Writes one line to stdout (results: file names written, info tables). */
  out(line: string): void;
  /** Writes one line to stderr (progress, warnings, log lines). */
  log(line: string): void;
  /** The stream progress bars draw on (stderr). */
  readonly progressStream: NodeJS.WriteStream;
  /** True when progress may redraw a bar in place (stderr is a terminal). */
  readonly isTTY: boolean;
  /** Aborted on the first Ctrl-C or SIGTERM; a second Ctrl-C exits at once. */
  readonly signal: AbortSignal;
  /** Environment variables (EDM_BACKEND, ...). */
  readonly env: NodeJS.ProcessEnv;
}

/** Arguments a command's `run` receives: its options plus positionals by name. */
export interface CommandArgs<O extends OptionTable> {
  /** Parsed options. */
  options: ParsedOptions<O>;
  /** Positional arguments by name; an omitted optional one is undefined. */
  positionals: Record<string, string | undefined>;
}

/** A command definition. */
export interface Command<O extends OptionTable = OptionTable> {
  /** The sub-command name (`edm <name>`). */
  name: string;
  /** One line for `edm --help`. */
  summary: string;
  /** Longer text for `edm <name> --help` (paragraphs, examples). */
  description?: string;
  /** Options. */
  options: O;
  /** Positional arguments, in order. */
  positionals?: PositionalDef[];
  /** Runs the command; returns the exit code (0 when nothing is returned). */
  run(args: CommandArgs<O>, ctx: CommandContext): Promise<number | void>;
}

/** Declares a command (the identity, for type inference of the options). */
export function defineCommand<O extends OptionTable>(command: Command<O>): Command<O> {
  return command;
}

/** A command of any option table (what the command table holds). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;
