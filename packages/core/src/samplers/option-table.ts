// The sampler options, written once: each option's kind, help, default and range, in groups (noise levels,
// churn, ancestral noise, the SDE and multistep variants, the ablation sampler's choices, the adaptive
// solver's controller), and which groups each sampler takes. The samplers take their defaults and checks from
// here (`resolveSamplerOptions`); command lines and forms generate their fields from it (samplers/table.ts).
// Sampler names are k-diffusion's function names without `sample_`, plus `edm` (the paper's Algorithm 2,
// generate.py's edm_sampler) and `ablation` (generate.py's ablation_sampler).
import { show } from '../validate';

/** An order between two options of the same sampler, checked when both are set. */
export interface OptionRelation {
  /** The other option. */
  readonly option: string;
  /** `<`: this option must be below the other; `<=`: at most the other. */
  readonly op: '<' | '<=';
}

interface SpecBase {
  /** One line of help (what it is, in the paper's or k-diffusion's words). */
  readonly help: string;
  /** How help shows the default when there is no fixed `default` (e.g. "by discretization"). */
  readonly defaultText?: string;
  /** Its name on command lines when not the kebab-case of its key (`numSteps` -> `steps`). */
  readonly flag?: string;
  /** The reference's spelling (generate.py, k-diffusion), for help. */
  readonly reference?: string;
  /** An order relative to another option. */
  readonly relation?: OptionRelation;
}

/** A numeric option: an integer or a number within [min, max] (ends exclusive where marked). */
export interface NumberOptionSpec extends SpecBase {
  readonly kind: 'int' | 'number';
  readonly default?: number;
  readonly min: number;
  readonly max: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
}

/** One of a fixed set of names. */
export interface ChoiceOptionSpec extends SpecBase {
  readonly kind: 'choice';
  readonly choices: readonly string[];
  readonly default?: string;
}

/** A boolean. */
export interface BooleanOptionSpec extends SpecBase {
  readonly kind: 'boolean';
  readonly default?: boolean;
}

/** One sampler option. */
export type SamplerOptionSpec = NumberOptionSpec | ChoiceOptionSpec | BooleanOptionSpec;

/** Options by name. */
export type OptionSpecs = Readonly<Record<string, SamplerOptionSpec>>;

/** The value type of an option. */
export type OptionValue<S> = S extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
  : S extends { kind: 'boolean' } ? boolean : number;

/** What callers may pass for a group of options: each optional. */
export type OptionInput<T> = { -readonly [K in keyof T]?: OptionValue<T[K]> };

/** The checked options with defaults: an option without a default may stay undefined. */
export type ResolvedOptions<T> = {
  -readonly [K in keyof T]: T[K] extends { default: number | string | boolean } ? OptionValue<T[K]> : OptionValue<T[K]> | undefined
};

// Noise levels: the Karras/EDM schedule (paper eq. 5) of N positive levels then 0.
export const NOISE_LEVEL_OPTIONS = {
  numSteps: {
    kind: 'int', help: 'Number of steps N (noise levels before the final 0)', default: 18, min: 1, max: 1000,
    flag: 'steps', reference: 'num_steps',
  },
  sigmaMin: {
    kind: 'number', help: "Lowest noise level sigma_min (raised to the network's)", default: 0.002, min: 0,
    exclusiveMin: true, max: 1000, reference: 'sigma_min', relation: { option: 'sigmaMax', op: '<' },
  },
  sigmaMax: {
    kind: 'number', help: "Highest noise level sigma_max (lowered to the network's)", default: 80, min: 0,
    exclusiveMin: true, max: 1000, reference: 'sigma_max',
  },
  rho: { kind: 'number', help: 'Time step exponent rho (paper eq. 5)', default: 7, min: 0, exclusiveMin: true, max: 100, reference: 'rho' },
} as const satisfies OptionSpecs;

// Churn: the stochastic part of Algorithm 2 (paper Section 4, Table 5).
export const CHURN_OPTIONS = {
  sChurn: { kind: 'number', help: 'Stochasticity strength S_churn (0: deterministic, Algorithm 1)', default: 0, min: 0, max: 1000, reference: 'S_churn' },
  sMin: {
    kind: 'number', help: 'S_tmin, lowest noise level where churn is added', default: 0, min: 0, max: 1000,
    reference: 'S_min', relation: { option: 'sMax', op: '<=' },
  },
  sMax: { kind: 'number', help: 'S_tmax, highest noise level where churn is added', default: Infinity, min: 0, max: Infinity, reference: 'S_max' },
  sNoise: { kind: 'number', help: 'S_noise, scale of the added noise (slightly above 1 offsets detail loss)', default: 1, min: 0, max: 2, reference: 'S_noise' },
} as const satisfies OptionSpecs;

// Ancestral noise (k-diffusion get_ancestral_step; the ancestral and SDE samplers).
export const ANCESTRAL_OPTIONS = {
  eta: { kind: 'number', help: 'eta, share of the ancestral noise (0: the ODE step, 1: full ancestral)', default: 1, min: 0, max: 10, reference: 'eta' },
  sNoise: { kind: 'number', help: 's_noise, multiplier of the added noise', default: 1, min: 0, max: 2, reference: 's_noise' },
} as const satisfies OptionSpecs;

// The ablation sampler's choices (paper Table 1, generate.py ablation_sampler).
export const ABLATION_OPTIONS = {
  solver: { kind: 'choice', help: 'ODE solver: euler (1st order) or heun (2nd order, with alpha)', choices: ['euler', 'heun'], default: 'heun', reference: 'solver' },
  discretization: {
    kind: 'choice', help: 'Time step discretization {t_i}', choices: ['vp', 've', 'iddpm', 'edm'], default: 'edm',
    flag: 'disc', reference: 'discretization',
  },
  schedule: { kind: 'choice', help: 'Noise level schedule sigma(t)', choices: ['vp', 've', 'linear'], default: 'linear', reference: 'schedule' },
  scaling: { kind: 'choice', help: 'Signal scaling s(t)', choices: ['vp', 'none'], default: 'none', reference: 'scaling' },
  alpha: { kind: 'number', help: 'alpha of the 2nd order step (1: Heun, 0.5: midpoint)', default: 1, min: 0, exclusiveMin: true, max: 1, reference: 'alpha' },
  epsilonS: { kind: 'number', help: 'epsilon_s, the last t of the vp discretization and schedule', default: 1e-3, min: 0, exclusiveMin: true, max: 1, exclusiveMax: true, reference: 'epsilon_s' },
  C1: { kind: 'number', help: 'C_1 of the iddpm discretization', default: 0.001, min: 0, exclusiveMin: true, max: 1, flag: 'iddpm-c1', reference: 'C_1' },
  C2: { kind: 'number', help: 'C_2 of the iddpm discretization', default: 0.008, min: 0, exclusiveMin: true, max: 1, flag: 'iddpm-c2', reference: 'C_2' },
  M: { kind: 'int', help: 'M of the iddpm discretization', default: 1000, min: 1, max: 100000, flag: 'iddpm-m', reference: 'M' },
} as const satisfies OptionSpecs;

/**
 * The ablation sampler's noise range: no fixed default, it follows the discretization (generate.py's
 * ablation_sampler: vp sigma_VP(1) / sigma_VP(epsilon_s) with beta_d 19.1, beta_min 0.1; ve 100 / 0.02;
 * iddpm 81 / 0.002; edm 80 / 0.002).
 */
const ABLATION_RANGE = {
  sigmaMin: {
    kind: 'number', help: NOISE_LEVEL_OPTIONS.sigmaMin.help, min: 0, exclusiveMin: true, max: 1000, reference: 'sigma_min',
    defaultText: 'by discretization: vp 0.010467, ve 0.02, iddpm 0.002, edm 0.002', relation: { option: 'sigmaMax', op: '<' },
  },
  sigmaMax: {
    kind: 'number', help: NOISE_LEVEL_OPTIONS.sigmaMax.help, min: 0, exclusiveMin: true, max: 1000, reference: 'sigma_max',
    defaultText: 'by discretization: vp 124.58, ve 100, iddpm 81, edm 80',
  },
} as const satisfies OptionSpecs;

// The adaptive DPM-Solver's tolerances and PID step-size controller (k-diffusion defaults).
export const ADAPTIVE_OPTIONS = {
  order: { kind: 'int', help: 'Order of the high-order solver: 2 (DPM-Solver-12) or 3 (DPM-Solver-23)', default: 3, min: 2, max: 3, reference: 'order' },
  rtol: { kind: 'number', help: 'Relative error tolerance', default: 0.05, min: 0, max: 1, reference: 'rtol' },
  atol: { kind: 'number', help: 'Absolute error tolerance (data units)', default: 0.0078, min: 0, exclusiveMin: true, max: 1, reference: 'atol' },
  hInit: { kind: 'number', help: 'First step size in lambda = -ln sigma', default: 0.05, min: 0, exclusiveMin: true, max: 10, reference: 'h_init' },
  pcoeff: { kind: 'number', help: 'PID controller proportional coefficient', default: 0, min: -10, max: 10, reference: 'pcoeff' },
  icoeff: { kind: 'number', help: 'PID controller integral coefficient', default: 1, min: -10, max: 10, reference: 'icoeff' },
  dcoeff: { kind: 'number', help: 'PID controller derivative coefficient', default: 0, min: -10, max: 10, reference: 'dcoeff' },
  acceptSafety: { kind: 'number', help: "A step is accepted when the controller's factor is at least this", default: 0.81, min: 0, exclusiveMin: true, max: 1, reference: 'accept_safety' },
  eta: { ...ANCESTRAL_OPTIONS.eta, default: 0 },
  sNoise: ANCESTRAL_OPTIONS.sNoise,
  denoiseToZero: { kind: 'boolean', help: 'Take the final step sigma_min -> 0 (x = D(x; sigma_min))', default: true },
  maxSteps: { kind: 'int', help: 'Upper bound on attempted steps (a guard against tolerances that cannot be met)', default: 10000, min: 1, max: 100000 },
} as const satisfies OptionSpecs;

/** Options a sampler takes that are not settings: tensors, callbacks, seeds (never on a command line). */
export const API_OPTIONS = ['classLabels', 'randnLike', 'onStep', 'signal', 'seeds'] as const;

/** What each sampler takes: the function that implements it, its settings, and whether it takes `sigmas`. */
export const SAMPLER_OPTIONS = {
  edm: {
    fn: 'edmSampler',
    options: {
      ...NOISE_LEVEL_OPTIONS,
      ...CHURN_OPTIONS,
      churnDraws: {
        kind: 'choice', choices: ['every-step', 'churn-steps'], default: 'every-step',
        help: 'When the churn noise is drawn from randnLike: every step (EDM generate.py) or only on steps with churn (EDM2 generate_images.py)',
      },
    },
    sigmas: false,
  },
  ablation: {
    fn: 'ablationSampler',
    options: { ...NOISE_LEVEL_OPTIONS, ...ABLATION_RANGE, ...CHURN_OPTIONS, ...ABLATION_OPTIONS },
    sigmas: false,
  },
  euler: { fn: 'eulerSampler', options: { ...NOISE_LEVEL_OPTIONS, ...CHURN_OPTIONS }, sigmas: true },
  euler_ancestral: { fn: 'eulerAncestralSampler', options: { ...NOISE_LEVEL_OPTIONS, ...ANCESTRAL_OPTIONS }, sigmas: true },
  heun: { fn: 'heunSampler', options: { ...NOISE_LEVEL_OPTIONS, ...CHURN_OPTIONS }, sigmas: true },
  dpm_2: { fn: 'dpm2Sampler', options: { ...NOISE_LEVEL_OPTIONS, ...CHURN_OPTIONS }, sigmas: true },
  dpm_2_ancestral: { fn: 'dpm2AncestralSampler', options: { ...NOISE_LEVEL_OPTIONS, ...ANCESTRAL_OPTIONS }, sigmas: true },
  lms: {
    fn: 'lmsSampler',
    options: {
      ...NOISE_LEVEL_OPTIONS,
      order: { kind: 'int', help: 'Order of the linear multistep method (past derivatives used)', default: 4, min: 1, max: 6, reference: 'order' },
    },
    sigmas: true,
  },
  dpmpp_2s_ancestral: { fn: 'dpmpp2sAncestralSampler', options: { ...NOISE_LEVEL_OPTIONS, ...ANCESTRAL_OPTIONS }, sigmas: true },
  dpmpp_sde: {
    fn: 'dpmppSdeSampler',
    options: {
      ...NOISE_LEVEL_OPTIONS,
      ...ANCESTRAL_OPTIONS,
      r: { kind: 'number', help: 'r, position of the intermediate point in lambda (s = lambda_i + r h)', default: 0.5, min: 0, exclusiveMin: true, max: 1, reference: 'r' },
    },
    sigmas: true,
  },
  dpmpp_2m: { fn: 'dpmpp2mSampler', options: { ...NOISE_LEVEL_OPTIONS }, sigmas: true },
  dpmpp_2m_sde: {
    fn: 'dpmpp2mSdeSampler',
    options: {
      ...NOISE_LEVEL_OPTIONS,
      ...ANCESTRAL_OPTIONS,
      solverType: { kind: 'choice', help: 'The second-order correction', choices: ['midpoint', 'heun'], default: 'midpoint', reference: 'solver_type' },
    },
    sigmas: true,
  },
  dpmpp_3m_sde: {
    fn: 'dpmpp3mSdeSampler',
    options: {
      ...NOISE_LEVEL_OPTIONS,
      ...ANCESTRAL_OPTIONS,
      variant: {
        kind: 'choice', choices: ['kdiffusion', 'taylor'], default: 'kdiffusion',
        help: "kdiffusion: k-diffusion's update (second order in practice); taylor: the exact Taylor coefficient (third order)",
      },
    },
    sigmas: true,
  },
  dpm_adaptive: {
    fn: 'dpmAdaptiveSampler',
    options: { sigmaMin: NOISE_LEVEL_OPTIONS.sigmaMin, sigmaMax: NOISE_LEVEL_OPTIONS.sigmaMax, ...ADAPTIVE_OPTIONS },
    sigmas: false,
  },
} as const satisfies Record<string, { fn: string; options: OptionSpecs; sigmas: boolean }>;

/** A sampler's name: k-diffusion's function name without `sample_`, or `edm`, or `ablation`. */
export type SamplerName = keyof typeof SAMPLER_OPTIONS;

/** The settings a sampler takes, by name. */
export type SamplerSettings<N extends SamplerName> = OptionInput<(typeof SAMPLER_OPTIONS)[N]['options']>;

/** A sampler's settings, checked, with defaults. */
export type ResolvedSamplerSettings<N extends SamplerName> = ResolvedOptions<(typeof SAMPLER_OPTIONS)[N]['options']>;

/** An option's name on command lines, without the dashes: its `flag`, else its key in kebab-case (`sChurn` -> `s-churn`). */
export function optionFlag(key: string, spec: { readonly flag?: string }): string {
  return spec.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * An option's command-line name in camelCase (`steps` for numSteps, `disc` for discretization, `iddpmC1`,
 * `sChurn`): the key a command line's option table (and a form's field id) uses for it.
 */
export function optionFlagKey(key: string, spec: { readonly flag?: string }): string {
  return optionFlag(key, spec).replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The options `name` accepts: its settings, then the API options. */
export function samplerOptionNames(name: SamplerName): string[] {
  const entry = SAMPLER_OPTIONS[name];
  return [...Object.keys(entry.options), ...(entry.sigmas ? ['sigmas'] : []), ...API_OPTIONS];
}

/** The accepted range of a numeric option in words, e.g. `> 0 and <= 1000`. */
export function describeRange(spec: NumberOptionSpec): string {
  return `${spec.exclusiveMin ? '>' : '>='} ${spec.min} and ${spec.exclusiveMax ? '<' : '<='} ${show(spec.max)}`;
}

/** Checks one value against its spec (undefined passes: the caller supplies the default). */
export function checkOption(where: string, key: string, spec: SamplerOptionSpec, value: unknown): unknown {
  if (value === undefined) return undefined;
  const bad = (want: string) => new Error(`${where}: option ${key} must be ${want}, got ${show(value)}`);
  switch (spec.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad('true or false');
      return value;
    case 'choice':
      if (typeof value !== 'string' || !spec.choices.includes(value)) {
        throw bad(`one of ${spec.choices.map((c) => `'${c}'`).join(', ')}`);
      }
      return value;
    default: {
      const { min, max, exclusiveMin, exclusiveMax } = spec;
      const integer = spec.kind === 'int';
      if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value)) ||
        (value === Infinity ? max !== Infinity : !Number.isFinite(value)) || (exclusiveMin ? value <= min : value < min)) {
        throw bad(integer ? `an integer >= ${min}` : `a finite number ${exclusiveMin ? '>' : '>='} ${min}`);
      }
      if (exclusiveMax ? value >= max : value > max) {
        throw bad(integer ? `an integer in ${min}..${max}` : `a number ${describeRange(spec)}`);
      }
      return value;
    }
  }
}

/**
 * Checks `options` against a sampler's table: an unknown option is an error naming the ones it takes (so a
 * typo is caught, not ignored); each setting is checked against its kind, range and relations, and missing
 * ones get their defaults. Options set to undefined count as not given. `where` names the function in errors.
 */
export function resolveSamplerOptions<N extends SamplerName>(name: N, options: object | undefined, where?: string): ResolvedSamplerSettings<N> {
  const entry = SAMPLER_OPTIONS[name];
  const fn = where ?? entry.fn;
  const specs: OptionSpecs = entry.options;
  const given = (options ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object') throw new Error(`${fn}: options must be an object, got ${show(options)}`);
  const allowed = samplerOptionNames(name);
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined && !allowed.includes(key)) {
      throw new Error(`${fn}: unknown option '${key}'; the ${name} sampler takes ${allowed.join(', ')}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = checkOption(fn, key, spec, given[key]) ?? spec.default;
  for (const [key, spec] of Object.entries(specs)) {
    const rel = spec.relation;
    const [a, b] = [out[key], out[rel?.option ?? '']];
    if (!rel || typeof a !== 'number' || typeof b !== 'number' || (rel.op === '<' ? a < b : a <= b)) continue;
    throw new Error(`${fn}: options ${key} ${rel.op} ${rel.option} required, got ${key}=${a} ${rel.op === '<' ? '>=' : '>'} ${rel.option}=${b}`);
  }
  return out as ResolvedSamplerSettings<N>;
}
