// The README's option tables follow the commands' option tables: the generated sections are current (run with
// UPDATE_README=1 to rewrite them), and every hand-written section names exactly its command's options.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../src/commands/index';
import { kebab } from '../src/command/options';
import { optionsMarkdown, replaceSection } from '../src/command/markdown';
import generate from '../src/commands/generate';
import { samplerOptions } from '../src/sample/options';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
/** The phrase by which a command's section refers to generate's sampler options table. */
const SAMPLER_POINTER = 'the sampler options of [`edm generate`](#edm-generate)';

/** The generated sections: name -> Markdown. */
const sections: [string, string][] = [['edm generate sampler options', optionsMarkdown(generate, Object.keys(samplerOptions))]];

describe('packages/cli/README.md', () => {
  it('holds the generated option tables as the option tables make them', () => {
    const doc = readFileSync(README, 'utf8');
    let want = doc;
    for (const [name, body] of sections) want = replaceSection(want, name, body);
    if (process.env.UPDATE_README && want !== doc) {
      writeFileSync(`${README}.tmp`, want);
      renameSync(`${README}.tmp`, README);
      return;
    }
    expect(doc, 'run UPDATE_README=1 npx vitest run packages/cli/test/readme-options.test.ts').toBe(want);
  });

  it("names every option of each command in the command's section; its tables list no option it does not have", async () => {
    const doc = readFileSync(README, 'utf8');
    for (const command of await loadCommands()) {
      const start = doc.indexOf(`\n## edm ${command.name}\n`);
      if (start < 0) continue; // convert is documented in @edm/models
      const end = doc.indexOf('\n## ', start + 1);
      const section = doc.slice(start, end < 0 ? undefined : end);
      const flags = Object.keys(command.options).map((k) => `--${kebab(k)}`);
      // A section may point at generate's generated table for the sampler options instead of repeating them.
      const sharesSampler = command.name !== 'generate' && section.includes(SAMPLER_POINTER);
      const samplerFlags = new Set(Object.keys(samplerOptions).map((k) => `--${kebab(k)}`));
      const missing = flags.filter((flag) => !(sharesSampler && samplerFlags.has(flag)) && !new RegExp(`${flag}(?![a-z0-9-])`).test(section));
      expect(missing, `edm ${command.name}: options missing from its README section`).toEqual([]);
      // The options the section's tables list (first cells; prose may name train.py options we do not offer).
      const rows = section.split('\n').filter((l) => l.startsWith('| `--')).map((l) => l.split(' | ')[0]!);
      const named = new Set(rows.flatMap((cell) => [...cell.matchAll(/`(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!)));
      for (const flag of named) expect(flags, `edm ${command.name}: the README names ${flag}`).toContain(flag);
    }
  });
});
