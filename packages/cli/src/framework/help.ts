// `--help` text, generated from the command definitions.
import type { AnyCommand } from './command';
import { kebab, type OptionDef } from './options';

/** Wraps `text` to `width` columns, indenting continuation lines by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

function defaultText(def: OptionDef<unknown>): string {
  if (def.showDefault !== undefined) return def.showDefault;
  if (def.required) return 'required';
  if (def.default === undefined) return '';
  if (Array.isArray(def.default)) return def.default.join(',');
  return String(def.default);
}

/** Help for one command. */
export function commandHelp(command: AnyCommand): string {
  const pos = (command.positionals ?? []).map((p) => (p.optional ? ` [${p.name}]` : ` <${p.name}>`)).join('');
  const out = [`Usage: edm ${command.name} [options]${pos}`, '', command.summary];
  if (command.description) out.push('', command.description.trim());
  if (command.positionals?.length) {
    out.push('', 'Arguments:');
    for (const p of command.positionals) out.push(`  ${p.name.padEnd(28)}${wrap(p.help, 100, 30)}`);
  }
  out.push('', 'Options:');
  const entries = Object.entries(command.options as Record<string, OptionDef<unknown>>);
  for (const [key, def] of entries) {
    const left = `  --${kebab(key)} ${def.isFlag ? `[${def.metavar}]` : def.metavar}`;
    const d = defaultText(def);
    const help = def.help + (d ? ` [${d === 'required' ? 'required' : `default: ${d}`}]` : '');
    out.push(left.length >= 30 ? `${left}\n${' '.repeat(30)}${wrap(help, 100, 30)}` : `${left.padEnd(30)}${wrap(help, 100, 30)}`);
  }
  out.push(`  ${'-h, --help'.padEnd(28)}Show this help and exit.`);
  return out.join('\n');
}

/** Help for the tool: the list of commands. */
export function toolHelp(commands: readonly AnyCommand[], version: string): string {
  const out = [
    `edm ${version}: EDM diffusion models (Karras et al. 2022) on TensorFlow.js`,
    '',
    'Usage: edm <command> [options]',
    '',
    'Commands:',
  ];
  for (const c of commands) out.push(`  ${c.name.padEnd(12)}${c.summary}`);
  out.push('', "Run 'edm <command> --help' for a command's options.");
  out.push('Engine: --backend or EDM_BACKEND (tensorflow-gpu, tensorflow, webgpu, wasm, cpu; default: the best available).');
  return out.join('\n');
}
