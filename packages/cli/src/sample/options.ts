// The sampler options of `edm generate`, generated from @edm/core's sampler table: `--sampler NAME` and one
// option per sampler setting (kind, help, default and range come from the table; the names follow
// generate.py where it has them: --steps, --sigma-min, --S_churn, --disc, ...), plus guidance (--cfg, --guide,
// --guidance). The options a sampler does not take are refused naming the ones it takes; --solver, --disc,
// --schedule and --scaling select the ablation sampler when --sampler is not given, as generate.py does.
import {
  SAMPLER_NAMES, allSamplerOptions, checkOption, optionFlag, optionFlagKey, resolveSamplerOptions, samplerEntry,
  type SamplerName,
  type SamplerOptionSpec,
} from '@edm/core';
import { UsageError, errorMessage } from '../command/errors';
import { bool, choice, float, int, str, type OptionDef } from '../command/options';


/** The flag of a core setting, as the table names it (`numSteps` -> `--steps`, `sChurn` -> `--s-churn`). */
export function flagOf(key: string): string {
  const spec = allSamplerOptions().find((o) => o.key === key)?.spec;
  return `--${optionFlag(key, spec ?? {})}`;
}

/** Options that select the ablation sampler when --sampler is not given (generate.py's rule). */
const ABLATION_SELECTORS = ['solver', 'discretization', 'schedule', 'scaling'];

/** The samplers that take a setting, in words: `edm, heun`, or `all but dpm_adaptive`, or '' for all. */
function whoTakes(samplers: readonly SamplerName[]): string {
  if (samplers.length === SAMPLER_NAMES.length) return '';
  const others = SAMPLER_NAMES.filter((n) => !samplers.includes(n));
  return others.length < samplers.length ? `all but ${others.join(', ')}` : samplers.join(', ');
}

/** A setting's default in words, per sampler where they differ (`1; dpm_adaptive: 0`). */
function defaultText(key: string, samplers: readonly SamplerName[]): string | undefined {
  const groups = new Map<string, SamplerName[]>();
  for (const name of samplers) {
    const spec = samplerEntry(name).options[key]!;
    const text = spec.default === undefined ? spec.defaultText : spec.default === Infinity ? 'inf' : String(spec.default);
    if (text !== undefined) groups.set(text, [...(groups.get(text) ?? []), name]);
  }
  const [first, ...others] = [...groups];
  return first && [first[0], ...others.map(([v, n]) => `${n.join(', ')}: ${v}`)].join('; ');
}

/**
 * One CLI option from a setting of the table: its help says which samplers take it; its range is the widest
 * the samplers give (each sampler's own is checked in `samplerChoice`).
 */
function cliOption(key: string, spec: SamplerOptionSpec, samplers: readonly SamplerName[]): OptionDef<unknown> {
  const who = whoTakes(samplers);
  const help = who ? `${spec.help} (${who})` : spec.help;
  const showDefault = defaultText(key, samplers);
  switch (spec.kind) {
    case 'boolean':
      return bool({ help, showDefault });
    case 'choice':
      return choice(spec.choices, { help, showDefault });
    default: {
      const nums = samplers.map((n) => samplerEntry(n).options[key]!)
        .filter((r): r is Extract<SamplerOptionSpec, { kind: 'int' | 'number' }> => r.kind === 'int' || r.kind === 'number');
      const min = Math.min(...nums.map((r) => r.min));
      const max = Math.max(...nums.map((r) => r.max));
      const exclusiveMin = nums.every((r) => r.exclusiveMin);
      const exclusiveMax = nums.every((r) => r.exclusiveMax);
      return spec.kind === 'int'
        ? int({ help, min, max, showDefault })
        : float({ help, min, max, exclusiveMin, exclusiveMax, allowInfinity: max === Infinity, showDefault });
    }
  }
}

/** Table key -> CLI option key, for every setting of every sampler. */
const KEYS = new Map(allSamplerOptions().map(({ key, spec }) => [key, optionFlagKey(key, spec)]));

function settingOptions(): Record<string, OptionDef<unknown>> {
  const out: Record<string, OptionDef<unknown>> = {};
  for (const { key, spec, samplers } of allSamplerOptions()) {
    const def = cliOption(key, spec, samplers);
    const rel = spec.relation;
    out[KEYS.get(key)!] = rel ? { ...def, relation: { option: KEYS.get(rel.option)!, op: rel.op } } : def;
  }
  return out;
}

/** The sampler and guidance options of `edm generate`. */
export const samplerOptions = {
  sampler: choice(SAMPLER_NAMES, {
    help: "Sampler (k-diffusion's names without sample_; edm: the paper's Algorithm 2)",
    metavar: 'NAME',
    showDefault: 'edm; ablation when --solver, --disc, --schedule or --scaling is given',
  }),
  ...settingOptions(),
  cfg: float({ help: 'Classifier-free guidance weight w (1: plain conditional; needs a conditional network)', min: 0, max: 100 }),
  guide: str({ help: 'Autoguidance: a weaker checkpoint of the same images (resolution, channels, classes)', metavar: 'FILE' }),
  guidance: float({ help: "Autoguidance weight w (1: the network alone; needs --guide, except for edm generate without --net: the shipped model's own guide, at the weight of models/shipped.json unless given)", min: 0, max: 100 }),
} as Record<string, OptionDef<unknown>> & {
  sampler: OptionDef<SamplerName | undefined>;
  cfg: OptionDef<number | undefined>;
  guide: OptionDef<string | undefined>;
  guidance: OptionDef<number | undefined>;
};

/** What the sampler options ask for: the sampler, its settings (by table key) and guidance. */
export interface SamplerChoice {
  sampler: SamplerName;
  /** The settings given on the command line (absent ones take the table's defaults in the sampler). */
  settings: Record<string, unknown>;
  /** Classifier-free guidance weight. */
  cfg?: number;
  /** Autoguidance: the guide checkpoint and weight. */
  guide?: { path: string; weight: number };
}

/**
 * Picks the sampler and checks the given settings against its table entry: a setting it does not take is a
 * usage error naming the ones it takes, a value outside its range names the flag.
 */
export function samplerChoice(parsed: Record<string, unknown>): SamplerChoice {
  const settings: Record<string, unknown> = {};
  for (const [key, cliKey] of KEYS) if (parsed[cliKey] !== undefined) settings[key] = parsed[cliKey];
  const named = parsed.sampler as SamplerName | undefined;
  const sampler = named ?? (ABLATION_SELECTORS.some((k) => k in settings) ? 'ablation' : 'edm');
  const entry = samplerEntry(sampler);
  for (const [key, value] of Object.entries(settings)) {
    const spec = entry.options[key];
    if (!spec) {
      const takes = Object.keys(entry.options).map(flagOf).join(', ');
      throw new UsageError(`${flagOf(key)} is not an option of the ${sampler} sampler${named ? '' : ' (the default)'}; it takes ${takes}`);
    }
    try {
      checkOption(sampler, key, spec, value);
    } catch (e) {
      const [, want, got] = /must be (.*), got (.*)$/.exec(errorMessage(e)) ?? [];
      throw new UsageError(`${flagOf(key)} must be ${want} for the ${sampler} sampler, got ${got}`);
    }
  }
  try {
    resolveSamplerOptions(sampler, settings); // relations with the defaults (e.g. --sigma-min 90 above sigma_max 80)
  } catch (e) {
    const text = errorMessage(e).replace(/^\w+: /, '').replace(/\b[a-zA-Z][a-zA-Z0-9]*\b/g, (w) => (w.length > 1 && KEYS.has(w) ? flagOf(w) : w));
    throw new UsageError(`${text} (the ${sampler} sampler)`);
  }
  const { cfg, guide, guidance } = parsed as { cfg?: number; guide?: string; guidance?: number };
  if (guidance !== undefined && guide === undefined) throw new UsageError('--guidance needs --guide FILE (the guide network)');
  if (guide !== undefined && guidance === undefined) throw new UsageError('--guide needs --guidance W (the autoguidance weight, e.g. 2)');
  if (cfg !== undefined && guide !== undefined) throw new UsageError('give --cfg (classifier-free guidance) or --guide (autoguidance), not both');
  return { sampler, settings, ...(cfg !== undefined && { cfg }), ...(guide !== undefined && { guide: { path: guide, weight: guidance! } }) };
}
