// The samplers the page offers, on @edm/core's one sampler signature. Each says how to reproduce it with
// `edm generate` (the CLI), when the CLI has it.
import type * as tf from '@tensorflow/tfjs-core';
import { ablationSampler, edmSampler, type Denoiser, type SamplerOptions } from '@edm/core';
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
];

/** The sampler with this id; throws naming the id and the choices. */
export function samplerById(id: string): SamplerChoice {
  const found = SAMPLERS.find((c) => c.id === id);
  if (!found) throw new Error(`Sampler: expected one of ${SAMPLERS.map((c) => c.id).join(', ')}, got '${id}'`);
  return found;
}
