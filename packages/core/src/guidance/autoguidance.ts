// Autoguidance (Karras et al. 2024, "Guiding a Diffusion Model with a Bad Version of Itself") as a
// Denoiser wrapper: a weaker guide denoiser (smaller or less trained) replaces the unconditional model,
//   D_w(x; sigma, c) = D_guide(x; sigma, c) + w (D_main(x; sigma, c) - D_guide(x; sigma, c))
//                    = w D_main + (1 - w) D_guide,
// computed in the second form (w = 1 is exactly D_main). Both see the same labels.
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber } from '../validate';
import { wrapDenoiser, type Denoiser } from '../denoiser';
import { guidedOutput } from './guided';

/** Options of `autoguidance`. */
export interface AutoguidanceOptions {
  /** w, the guidance weight: 1 = the main denoiser alone, > 1 = guided away from the guide. */
  weight: number;
}

/** Wraps a main denoiser and a weaker guide of the same data shape into an autoguided denoiser. */
export function autoguidance(main: Denoiser, guide: Denoiser, options: AutoguidanceOptions): Denoiser {
  const name = 'autoguidance';
  const weight = checkNumber(name, 'weight', options?.weight);
  for (const key of ['imgResolution', 'imgChannels', 'labelDim'] as const) {
    if (main[key] !== guide[key]) {
      throw new Error(`${name}: main and guide denoisers must agree on ${key}, got main ${main[key]} vs guide ${guide[key]}`);
    }
  }
  const sigmaMin = Math.max(main.sigmaMin, guide.sigmaMin);
  const sigmaMax = Math.min(main.sigmaMax, guide.sigmaMax);
  if (!(sigmaMin < sigmaMax)) {
    throw new Error(`${name}: the noise ranges of main [${main.sigmaMin}, ${main.sigmaMax}] and guide ` +
      `[${guide.sigmaMin}, ${guide.sigmaMax}] do not overlap`);
  }
  return wrapDenoiser(main, (x, sigma, classLabels, augmentLabels, fwd) => tf.tidy(() => {
    const dMain = main.forward(x, sigma, classLabels, augmentLabels, fwd);
    if (weight === 1) return dMain;
    return guidedOutput(dMain, guide.forward(x, sigma, classLabels, augmentLabels, fwd), weight);
  }), { sigmaMin, sigmaMax });
}
