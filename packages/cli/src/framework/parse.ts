// The argument parser: `--name value`, `--name=value`, boolean flags, `--` ends options; option names are
// kebab-case, and the reference's spellings are accepted too (`--S_churn` = `--s-churn`, `--sigma_min`).
// Every mistake is a UsageError that names the option and says what was expected.
import type { AnyCommand, CommandArgs } from './command';
import { UsageError } from './errors';
import { kebab, parseBoolLiteral, type OptionDef } from './options';

/** Normalises a spelled option name: lower case, `_` -> `-`. */
function normalise(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/** Levenshtein distance (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest name within distance 2, for a hint. */
export function suggest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const dd = distance(name, n);
    if (dd < bestD) [best, bestD] = [n, dd];
  }
  return best;
}

/** Parses `argv` (after the command name) for `command`. `--help` is handled by the caller. */
export function parseArgs(command: AnyCommand, argv: readonly string[]): CommandArgs<Record<string, OptionDef<unknown>>> {
  const byFlag = new Map<string, [string, OptionDef<unknown>]>();
  for (const [key, def] of Object.entries(command.options as Record<string, OptionDef<unknown>>)) {
    byFlag.set(normalise(kebab(key)), [key, def]);
  }
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unknown option '${arg}' (options are spelled --name; see 'edm ${command.name} --help')`);
    }
    const eq = arg.indexOf('=');
    const spelled = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const entry = byFlag.get(normalise(spelled));
    if (!entry) {
      const hint = suggest(normalise(spelled), [...byFlag.keys()]);
      throw new UsageError(`unknown option '--${spelled}' for 'edm ${command.name}'` + (hint ? `; did you mean '--${hint}'?` : ''));
    }
    const [key, def] = entry;
    const flag = `--${kebab(key)}`;
    if (given.has(key)) throw new UsageError(`${flag} given twice`);
    given.add(key);
    let raw: string;
    if (eq >= 0) {
      raw = arg.slice(eq + 1);
    } else if (def.isFlag) {
      // A boolean flag takes the next word only when it is a boolean literal (`--xflip 1`).
      const next = argv[i + 1];
      if (next !== undefined && parseBoolLiteral(next) !== undefined) {
        raw = next;
        i++;
      } else {
        raw = 'true';
      }
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`${flag} needs a value (${def.metavar})`);
      }
      raw = next;
      i++;
    }
    values[key] = def.parse(raw, flag);
  }
  for (const [key, def] of Object.entries(command.options as Record<string, OptionDef<unknown>>)) {
    if (given.has(key)) continue;
    if (def.required) throw new UsageError(`missing required option --${kebab(key)} (${def.metavar}): ${def.help}`);
    values[key] = def.default;
  }
  const specs = command.positionals ?? [];
  const required = specs.filter((p) => !p.optional).length;
  if (positionals.length < required || positionals.length > specs.length) {
    const usage = specs.map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`)).join(' ');
    const expected = specs.length === 0 ? 'no positional arguments' : `${usage}`;
    throw new UsageError(`expected ${expected}, got ${positionals.length === 0 ? 'none' : `'${positionals.join(' ')}'`}`);
  }
  const named: Record<string, string | undefined> = {};
  specs.forEach((p, i) => (named[p.name] = positionals[i]));
  return { options: values, positionals: named };
}
