// The sampler table as Markdown, generated from @edm/core's table (docs/samplers.md holds it; bench/report.ts
// writes it with the accuracy report, and packages/core/test/sampler-table.test.ts checks the file has it).
import { SAMPLERS, describeRange, type SamplerOptionSpec } from '../src';

function values(spec: SamplerOptionSpec): string {
  switch (spec.kind) {
    case 'boolean': return 'true, false';
    case 'choice': return spec.choices.join(', ');
    default: return `${spec.kind === 'int' ? 'integer' : 'number'} ${describeRange(spec)}`;
  }
}

function defaultOf(spec: SamplerOptionSpec): string {
  if (spec.default === undefined) return spec.defaultText ?? '-';
  return String(spec.default);
}

/** The table of samplers and the table of their options. */
export function samplerTableMarkdown(): string {
  const rows = SAMPLERS.map((s) => `| \`${s.name}\` | \`${s.fn}\` | ${s.cost} | ${Object.keys(s.options).join(', ')}` +
    `${s.sigmas ? ', sigmas' : ''} |`);
  const keys = [...new Set(SAMPLERS.flatMap((s) => Object.keys(s.options)))];
  const options = keys.map((key) => {
    const takers = SAMPLERS.filter((s) => key in s.options);
    // A column lists the first sampler's entry, then each different one with the samplers that have it.
    const column = (f: (spec: SamplerOptionSpec) => string) => {
      const groups = new Map<string, string[]>();
      for (const s of takers) groups.set(f(s.options[key]!), [...(groups.get(f(s.options[key]!)) ?? []), s.name]);
      const [first, ...others] = [...groups];
      return [first![0], ...others.map(([v, n]) => `${n.join(', ')}: ${v}`)].join('; ');
    };
    const names = takers.length === SAMPLERS.length ? 'all' : takers.map((s) => s.name).join(', ');
    return `| \`${key}\` | ${column(values)} | ${column(defaultOf)} | ${column((spec) => spec.help)} | ${names} |`;
  });
  return [
    '### The sampler table',
    '',
    '`SAMPLERS` and `runSamplerByName(name, net, latents, options)` give every sampler by name (k-diffusion\'s',
    'function names without `sample_`, `edm` for Algorithm 2, `ablation` for generate.py\'s ablation sampler).',
    'Each option\'s kind, default and range are written once, in `packages/core/src/samplers/option-table.ts`;',
    'every sampler checks its options against it, so an option it does not take is an error naming the ones it',
    'takes. `edm generate --sampler NAME` and the web app offer the same samplers and options. This section is',
    'generated from the table (`packages/core/bench/sampler-docs.ts`).',
    '',
    '| name | function | network evaluations for N steps | options |',
    '|---|---|---|---|',
    ...rows,
    '',
    '| option | values | default | what it is | samplers |',
    '|---|---|---|---|---|',
    ...options,
  ].join('\n');
}
