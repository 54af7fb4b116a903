// The `edm` program on commander: each command's option table (src/command/options.ts) becomes commander
// options, so commander parses, prints `--help`, suggests the nearest option or command for a typo and
// dispatches. Around it, what commander does not know: the reference's spellings (`--S_churn` = `--s-churn`,
// `--sigma_min`), boolean flags with an optional literal (`--xflip 1`), an option given twice, defaults and the
// order between two options (`--sigma-min` below `--sigma-max`). Errors become one message and an exit code
// (2 usage, 1 bad input or failed run, 130 after Ctrl-C); the first Ctrl-C / SIGTERM aborts the command's
// AbortSignal, the second exits at once.
import { Command as Program, CommanderError, Option } from 'commander';
import { printable } from '@edm/models';
import { logLine, stopAllProgress } from '../io/progress';
import type { AnyCommand, CommandArgs, CommandContext } from './define';
import { CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError, errorMessage } from './errors';
import { kebab, parseBoolLiteral, type OptionDef } from './options';

/** Streams and environment of a run (the process's own by default; tests may pass their own). */
export interface MainIO {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

type Options = Record<string, OptionDef<unknown>>;

/** A spelled option name as the table spells it: lower case, `_` -> `-` (`S_churn` -> `s-churn`). */
function normalise(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/**
 * Rewrites the words after the command name for commander: option names in the table's spelling, every
 * boolean flag as `--flag=value` (so `--xflip 1` and `--json FILE` both mean what they did), and a usage
 * error for an option given twice or a value-taking option followed by another option.
 */
export function normaliseArgv(command: AnyCommand, argv: readonly string[]): string[] {
  const byFlag = new Map<string, [string, OptionDef<unknown>]>();
  for (const [key, def] of Object.entries(command.options as Options)) byFlag.set(kebab(key), [key, def]);
  const out: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('--')) {
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = normalise(eq >= 0 ? arg.slice(2, eq) : arg.slice(2));
    const entry = byFlag.get(name);
    if (!entry) {
      // Unknown here (or --help): commander reports it, with the nearest known option.
      out.push(`--${name}${eq >= 0 ? arg.slice(eq) : ''}`);
      continue;
    }
    const [key, def] = entry;
    const flag = `--${name}`;
    if (given.has(key)) throw new UsageError(`${flag} given twice`);
    given.add(key);
    if (eq >= 0) {
      out.push(`${flag}=${arg.slice(eq + 1)}`);
    } else if (def.isFlag) {
      const next = argv[i + 1];
      const literal = next !== undefined && parseBoolLiteral(next) !== undefined;
      out.push(`${flag}=${literal ? next : 'true'}`);
      if (literal) i++;
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`${flag} needs a value (${def.metavar})`);
      }
      out.push(flag, next);
      i++;
    }
  }
  return out;
}

function defaultText(def: OptionDef<unknown>): string {
  if (def.showDefault !== undefined) return def.showDefault;
  if (def.default === undefined) return '';
  if (Array.isArray(def.default)) return def.default.join(',');
  return String(def.default);
}

/** An option's line in `--help`: its help, then its range and its default in brackets. */
function describe(def: OptionDef<unknown>): string {
  const d = def.required ? 'required' : defaultText(def);
  const notes = [def.range, d === 'required' ? d : d ? `default: ${d}` : ''].filter(Boolean);
  return def.help + (notes.length ? ` [${notes.join('; ')}]` : '');
}

/** Commander's message in ours: no `error: ` prefix, its `(Did you mean X?)` line as `; did you mean 'X'?`. */
function commanderMessage(e: CommanderError): string {
  return e.message.replace(/^error: /, '').replace(/\n\(Did you mean (?:one of )?(.+)\?\)\s*$/,
    (_m, names: string) => `; did you mean ${names.split(', ').map((n) => `'${n}'`).join(' or ')}?`);
}

/** Fills in defaults and checks the order between options; throws a UsageError naming both options. */
export function resolveOptions(options: Options, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(options)) values[key] = given[key] ?? def.default;
  for (const [key, def] of Object.entries(options)) {
    const rel = def.relation;
    if (!rel) continue;
    const [a, b] = [values[key], values[rel.option]];
    if (typeof a !== 'number' || typeof b !== 'number') continue;
    if (rel.op === '<' ? a < b : a <= b) continue;
    throw new UsageError(`--${kebab(key)} ${a} must be ${rel.op === '<' ? 'below' : 'at most'} --${kebab(rel.option)} ${b}`);
  }
  return values;
}

/** A commander program with our output and exit handling (errors are thrown, printed by `main`). */
function newProgram(version: string, io: Pick<MainIO, 'stdout' | 'stderr'>): Program {
  return new Program('edm')
    .version(version, '-V, --version', 'Print the version and exit')
    .helpOption('-h, --help', 'Show this help and exit')
    .exitOverride()
    .helpCommand('help [command]', 'Show the help of a command')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {},
      getOutHelpWidth: () => io.stdout.columns ?? 110,
      getErrHelpWidth: () => io.stderr.columns ?? 110,
    })
    .showSuggestionAfterError(true);
}

/** Adds `def` to `program`; `onParsed` receives its parsed, defaulted and checked arguments. */
function addCommand(program: Program, def: AnyCommand, onParsed: (args: CommandArgs<Options>) => void | Promise<void>): void {
  const sub = program.command(def.name).summary(def.summary).description(def.summary);
  sub.helpOption('-h, --help', 'Show this help and exit');
  if (def.description) sub.addHelpText('after', `\n${def.description.trim()}`);
  const positionals = def.positionals ?? [];
  for (const p of positionals) sub.argument(p.optional ? `[${p.name}]` : `<${p.name}>`, p.help);
  const attributes: [string, string][] = [];
  for (const [key, opt] of Object.entries(def.options as Options)) {
    const flag = `--${kebab(key)}`;
    const o = new Option(`${flag} ${opt.isFlag ? `[${opt.metavar}]` : `<${opt.metavar}>`}`, describe(opt))
      .argParser((raw: string) => opt.parse(raw, flag));
    if (opt.required) o.makeOptionMandatory();
    sub.addOption(o);
    attributes.push([key, o.attributeName()]);
  }
  sub.action(() => {
    const given = Object.fromEntries(attributes.map(([key, attr]) => [key, sub.getOptionValue(attr)]));
    const named: Record<string, string | undefined> = {};
    positionals.forEach((p, i) => (named[p.name] = sub.processedArgs[i] as string | undefined));
    return onParsed({ options: resolveOptions(def.options as Options, given), positionals: named });
  });
}

/** Parses `argv` (the words after the command name) for `command` alone; errors are UsageErrors. */
export function parseCommandLine(command: AnyCommand, argv: readonly string[]): CommandArgs<Options> {
  let parsed: CommandArgs<Options> | undefined;
  const silent = { write: () => true } as unknown as NodeJS.WriteStream;
  const program = newProgram('0', { stdout: silent, stderr: silent });
  addCommand(program, command, (args) => {
    parsed = args;
  });
  try {
    program.parse([command.name, ...normaliseArgv(command, argv)], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new UsageError(commanderMessage(e));
    throw e;
  }
  if (!parsed) throw new UsageError('no command run');
  return parsed;
}

/**
 * A message or result line with control characters escaped, line by line: names and values read from input
 * files reach these lines, and an ESC or BEL in them must not drive the terminal.
 */
export function printableLines(text: string): string {
  return text.split('\n').map((line) => printable(line)).join('\n');
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
  const err = (line: string) => io.stderr.write(printableLines(line) + '\n');
  const target = commands.find((c) => c.name === argv[0]);
  const where = target ? `edm ${target.name}` : 'edm';
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      stopAllProgress();
      err('edm: interrupted again; exiting now');
      process.exit(EXIT_INTERRUPTED);
    }
    logLine(io.stderr, `edm: ${sig} received; finishing the current step and saving (press Ctrl-C again to exit at once)`);
    controller.abort(new Error(`${sig} received`));
  };
  let exitCode = 0;
  const program = newProgram(version, io).description(`edm ${version}: EDM diffusion models (Karras et al. 2022) on TensorFlow.js`);
  program.addHelpText('after', "\nRun 'edm <command> --help' for a command's options.\n" +
    'Engine: --backend or EDM_BACKEND (tensorflow-gpu, tensorflow, webgpu, wasm, cpu; default: the best available).');
  for (const def of commands) {
    addCommand(program, def, async (args) => {
      const ctx: CommandContext = {
        out: (line) => io.stdout.write(printableLines(line) + '\n'),
        log: (line) => logLine(io.stderr, printableLines(line)),
        progressStream: io.stderr,
        isTTY: Boolean(io.stderr.isTTY),
        signal: controller.signal,
        env: io.env,
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        exitCode = (await def.run(args, ctx)) ?? 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  }
  try {
    await program.parseAsync(target ? [argv[0]!, ...normaliseArgv(target, argv.slice(1))] : [...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    stopAllProgress(); // the message goes below the last state of any bar
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return EXIT_USAGE; // `edm` alone: the help went to stderr
      e = new UsageError(commanderMessage(e));
    }
    if (e instanceof UsageError) {
      const hint = target ? `Run 'edm ${target.name} --help' for its options.` : "Run 'edm --help' for the list of commands.";
      err(`${where}: error: ${e.message}\n${hint}`);
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      err(`${where}: ${e.message}`);
      return e.exitCode;
    }
    if (controller.signal.aborted && isAbort(e)) {
      err(`${where}: interrupted`);
      return EXIT_INTERRUPTED;
    }
    err(`${where}: ${errorMessage(e)}`);
    if (io.env.EDM_DEBUG && e instanceof Error && e.stack) err(e.stack);
    return EXIT_FAILURE;
  } finally {
    stopAllProgress();
  }
}
