// Option tables as Markdown, made from a command's option table: the README's generated sections
// (test/readme-options.test.ts checks they are current; with UPDATE_README=1 it writes them).
import type { AnyCommand } from './define';
import { kebab, type OptionDef } from './options';

/** `|` in a cell would end it. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** One row per option: flag and value, what it is, range, default. `keys` picks and orders them (default all). */
export function optionsMarkdown(command: AnyCommand, keys?: readonly string[]): string {
  const options = command.options as Record<string, OptionDef<unknown>>;
  const rows = (keys ?? Object.keys(options)).map((key) => {
    const def = options[key];
    if (!def) throw new Error(`edm ${command.name} has no option '${key}'`);
    const flag = `--${kebab(key)}${def.isFlag ? '' : ` ${def.metavar}`}`;
    const dflt = def.required ? 'required' : def.showDefault ?? (def.default === undefined ? '' : Array.isArray(def.default) ? def.default.join(',') : String(def.default));
    return `| \`${cell(flag)}\` | ${cell(def.help)} | ${cell(def.range ?? '')} | ${cell(dflt)} |`;
  });
  return ['| option | meaning | range | default |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The text between `<!-- BEGIN name -->` and `<!-- END name -->` in `doc` replaced by `body`. */
export function replaceSection(doc: string, name: string, body: string): string {
  const begin = `<!-- BEGIN ${name} (generated: UPDATE_README=1 npx vitest run packages/cli/test/readme-options.test.ts) -->`;
  const end = `<!-- END ${name} -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`the README has no section '${begin}' ... '${end}'`);
  return doc.slice(0, i + begin.length) + '\n' + body + '\n' + doc.slice(j);
}
