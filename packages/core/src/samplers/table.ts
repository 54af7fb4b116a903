// The sampler table: every sampler of the project by name (k-diffusion's function names without `sample_`,
// `edm` for the paper's Algorithm 2, `ablation` for generate.py's ablation_sampler), with the function that
// runs it, a label, its cost and its options (samplers/option-table.ts). Command lines and forms list their
// samplers and generate their option fields from here; `runSamplerByName` checks the options against the
// table (an unknown option is an error naming the allowed ones) and runs the sampler.
import type * as tf from '@tensorflow/tfjs-core';
import type { Denoiser } from '../denoiser';
import { ablationSampler } from './ablation';
import { edmSampler } from './edm';
import { K_SAMPLERS } from './kdiffusion';
import {
  SAMPLER_OPTIONS, resolveSamplerOptions, type OptionSpecs, type SamplerName, type SamplerOptionSpec,
} from './option-table';
import type { Sampler, SamplerOptions } from './types';

/** One row of the sampler table. */
export interface SamplerEntry {
  /** The sampler's name (`euler_ancestral`, `edm`, ...). */
  readonly name: SamplerName;
  /** What a person reads. */
  readonly label: string;
  /** Network evaluations for N steps, in words. */
  readonly cost: string;
  /** The function that implements it (e.g. `eulerAncestralSampler`). */
  readonly fn: string;
  /** Its settings: kind, help, default, range (samplers/option-table.ts). */
  readonly options: OptionSpecs;
  /** Whether it takes explicit `sigmas` (the k-diffusion fixed-step samplers). */
  readonly sigmas: boolean;
  /** Runs it. */
  readonly run: Sampler<SamplerOptions & Record<string, unknown>>;
}

const ROWS: Record<SamplerName, { label: string; cost: string; run: Sampler<never> }> = {
  edm: { label: 'EDM Heun (Algorithm 2, 2nd order)', cost: '2N - 1', run: edmSampler },
  ablation: { label: 'Ablation sampler (generate.py: solver, discretization, schedule, scaling)', cost: 'N (euler) or 2N - 1 (heun)', run: ablationSampler },
  euler: { label: 'Euler (k-diffusion)', cost: 'N', run: K_SAMPLERS.euler },
  euler_ancestral: { label: 'Euler ancestral (k-diffusion)', cost: 'N', run: K_SAMPLERS.euler_ancestral },
  heun: { label: 'Heun (k-diffusion)', cost: '2N - 1', run: K_SAMPLERS.heun },
  dpm_2: { label: 'DPM-Solver-2 (k-diffusion)', cost: '2N - 1', run: K_SAMPLERS.dpm_2 },
  dpm_2_ancestral: { label: 'DPM-Solver-2 ancestral (k-diffusion)', cost: '2N - 1', run: K_SAMPLERS.dpm_2_ancestral },
  lms: { label: 'Linear multistep (k-diffusion)', cost: 'N', run: K_SAMPLERS.lms },
  dpmpp_2s_ancestral: { label: 'DPM-Solver++(2S) ancestral (k-diffusion)', cost: '2N - 1', run: K_SAMPLERS.dpmpp_2s_ancestral },
  dpmpp_sde: { label: 'DPM-Solver++ SDE (k-diffusion)', cost: '2N - 1', run: K_SAMPLERS.dpmpp_sde },
  dpmpp_2m: { label: 'DPM-Solver++(2M) (k-diffusion)', cost: 'N', run: K_SAMPLERS.dpmpp_2m },
  dpmpp_2m_sde: { label: 'DPM-Solver++(2M) SDE (k-diffusion)', cost: 'N', run: K_SAMPLERS.dpmpp_2m_sde },
  dpmpp_3m_sde: { label: 'DPM-Solver++(3M) SDE (k-diffusion)', cost: 'N', run: K_SAMPLERS.dpmpp_3m_sde },
  dpm_adaptive: { label: 'Adaptive DPM-Solver (k-diffusion; chooses its own steps)', cost: 'adaptive', run: K_SAMPLERS.dpm_adaptive },
};

/** Every sampler, `edm` (the default) first. */
export const SAMPLERS: readonly SamplerEntry[] = (Object.keys(SAMPLER_OPTIONS) as SamplerName[]).map((name) => ({
  name,
  label: ROWS[name].label,
  cost: ROWS[name].cost,
  fn: SAMPLER_OPTIONS[name].fn,
  options: SAMPLER_OPTIONS[name].options,
  sigmas: SAMPLER_OPTIONS[name].sigmas,
  run: ROWS[name].run as SamplerEntry['run'],
}));

/** The names of all samplers, `edm` first. */
export const SAMPLER_NAMES: readonly SamplerName[] = SAMPLERS.map((s) => s.name);

/** The default sampler (the paper's Algorithm 2). */
export const DEFAULT_SAMPLER: SamplerName = 'edm';

/** The sampler named `name`; throws naming the known ones. */
export function samplerEntry(name: string): SamplerEntry {
  const found = SAMPLERS.find((s) => s.name === name);
  if (!found) throw new Error(`unknown sampler '${name}'; the samplers are ${SAMPLER_NAMES.join(', ')}`);
  return found;
}

/**
 * Every setting any sampler takes, once, with the samplers that take it (for command lines and forms that
 * show all settings). Where samplers give an option different specs (the ablation sampler's noise range has
 * no fixed default, the adaptive solver's eta defaults to 0), the first sampler's spec is listed.
 */
export function allSamplerOptions(): { key: string; spec: SamplerOptionSpec; samplers: SamplerName[] }[] {
  const byKey = new Map<string, { key: string; spec: SamplerOptionSpec; samplers: SamplerName[] }>();
  for (const s of SAMPLERS) {
    for (const [key, spec] of Object.entries(s.options)) {
      const row = byKey.get(key);
      if (row) row.samplers.push(s.name);
      else byKey.set(key, { key, spec, samplers: [s.name] });
    }
  }
  return [...byKey.values()];
}

/**
 * Runs the sampler `name` on `latents` with `options` (its settings and the API options). The options are
 * checked against the table first, so an option the sampler does not take is an error naming the allowed ones.
 */
export async function runSamplerByName(
  name: string,
  net: Denoiser,
  latents: tf.Tensor4D,
  options: SamplerOptions & Record<string, unknown> = {},
): Promise<tf.Tensor4D> {
  const entry = samplerEntry(name);
  resolveSamplerOptions(entry.name, options);
  return entry.run(net, latents, options);
}

