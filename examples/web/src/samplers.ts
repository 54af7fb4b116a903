// The samplers the page offers, on @edm/core's one sampler signature. Each says how to reproduce it with
// `edm generate` (the CLI), when the CLI has it.
import type * as tf from '@tensorflow/tfjs-core';
import { K_SAMPLERS, ablationSampler, edmSampler, type Denoiser, type KSamplerName, type SamplerOptions } from '@edm/core';
import type { SampleSettings } from './settings';

/** A sampler of the page. */
export interface SamplerChoice {
  /** Value of the sampler select. */
  id: string;
  /** What the user reads. */
  label: string;
  /** Whether S_churn, S_tmin, S_tmax, S_noise apply (Algorithm 2 churn). */
  churn: boolean;
  /** The `edm generate` options that select the same sampler (null: the CLI does not offer it). */
  cliFlags: string[] | null;
  /** Runs it: latents are standard normal [N, H, W, C]; returns x_N. */
  run(net: Denoiser, latents: tf.Tensor4D, common: SamplerOptions, s: SampleSettings): Promise<tf.Tensor4D>;
}

const churnOf = (s: SampleSettings) => ({ sChurn: s.sChurn, sMin: s.sMin, sMax: s.sMax, sNoise: s.sNoise });

/**
 * The k-diffusion family (k-diffusion `sampling.py` names) on the EDM time steps (eq. 5) with N steps:
 * 'churn' takes S_churn, S_tmin, S_tmax, S_noise; 'ancestral' adds its own noise (eta 1, s_noise 1);
 * 'ode' is deterministic. dpm_adaptive chooses its own steps and is left out.
 */
const K_FAMILY: Partial<Record<KSamplerName, { label: string; kind: 'churn' | 'ancestral' | 'ode' }>> = {
  euler: { label: 'Euler', kind: 'churn' },
  heun: { label: 'Heun', kind: 'churn' },
  dpm_2: { label: 'DPM-Solver-2', kind: 'churn' },
  lms: { label: 'LMS (order 4)', kind: 'ode' },
  dpmpp_2m: { label: 'DPM-Solver++(2M)', kind: 'ode' },
  euler_ancestral: { label: 'Euler ancestral', kind: 'ancestral' },
  dpm_2_ancestral: { label: 'DPM-Solver-2 ancestral', kind: 'ancestral' },
  dpmpp_2s_ancestral: { label: 'DPM-Solver++(2S) ancestral', kind: 'ancestral' },
  dpmpp_sde: { label: 'DPM-Solver++ SDE', kind: 'ancestral' },
  dpmpp_2m_sde: { label: 'DPM-Solver++(2M) SDE', kind: 'ancestral' },
  dpmpp_3m_sde: { label: 'DPM-Solver++(3M) SDE', kind: 'ancestral' },
};

function kSampler(name: KSamplerName, label: string, kind: 'churn' | 'ancestral' | 'ode'): SamplerChoice {
  const sampler = K_SAMPLERS[name] as (net: Denoiser, latents: tf.Tensor4D, o: object) => Promise<tf.Tensor4D>;
  return {
    id: `k-${name}`,
    label: `k-diffusion ${label}`,
    churn: kind === 'churn',
    cliFlags: null,
    run: (net, latents, common, s) => sampler(net, latents, {
      ...common,
      numSteps: s.steps,
      ...(kind === 'churn' ? churnOf(s) : {}),
    }),
  };
}

/** Every sampler the page offers, the default first. */
export const SAMPLERS: readonly SamplerChoice[] = [
  {
    id: 'heun',
    label: 'EDM Heun (Algorithm 2, 2nd order)',
    churn: true,
    cliFlags: [],
    run: (net, latents, common, s) => edmSampler(net, latents, { ...common, ...churnOf(s), numSteps: s.steps }),
  },
  {
    id: 'euler',
    label: 'Euler (1st order, EDM time steps)',
    churn: true,
    cliFlags: ['--solver', 'euler'],
    run: (net, latents, common, s) =>
      ablationSampler(net, latents, { ...common, ...churnOf(s), numSteps: s.steps, solver: 'euler' }),
  },
  ...Object.entries(K_FAMILY).map(([name, k]) => kSampler(name as KSamplerName, k.label, k.kind)),
];

/** The sampler with this id; throws naming the id and the choices. */
export function samplerById(id: string): SamplerChoice {
  const found = SAMPLERS.find((c) => c.id === id);
  if (!found) throw new Error(`Sampler: expected one of ${SAMPLERS.map((c) => c.id).join(', ')}, got '${id}'`);
  return found;
}
