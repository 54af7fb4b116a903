// Ancestral noise (k-diffusion get_ancestral_step): a step sigma_from -> sigma_to is split into a
// deterministic step down to sigma_down and fresh noise of std sigma_up, with
//   sigma_up = min(sigma_to, eta sqrt(sigma_to^2 (sigma_from^2 - sigma_to^2) / sigma_from^2)),
//   sigma_down = sqrt(sigma_to^2 - sigma_up^2),
// so that the marginal noise level at sigma_to is right. eta = 1 is DDPM's ancestral step, 0 the ODE.
import * as tf from '@tensorflow/tfjs-core';
import type { StepContext } from './runner';

/** sigma_down and sigma_up of an ancestral step. */
export function ancestralStep(sigmaFrom: number, sigmaTo: number, eta = 1): { sigmaDown: number; sigmaUp: number } {
  if (!eta) return { sigmaDown: sigmaTo, sigmaUp: 0 };
  const sigmaUp = Math.min(sigmaTo,
    eta * Math.sqrt(Math.max(0, sigmaTo ** 2 * (sigmaFrom ** 2 - sigmaTo ** 2) / sigmaFrom ** 2)));
  const sigmaDown = Math.sqrt(Math.max(0, sigmaTo ** 2 - sigmaUp ** 2));
  return { sigmaDown, sigmaUp };
}

/**
 * x + scale * n with n a standard-normal draw (see StepContext.draw); returns x itself when nothing is
 * added. Does not dispose x.
 */
export function addNoise(ctx: StepContext, x: tf.Tensor4D, scale: number): tf.Tensor4D {
  const n = ctx.draw(x, scale > 0);
  if (n === null) return x;
  const out = scale > 0 ? tf.tidy(() => tf.add(x, tf.mul(n, scale)) as tf.Tensor4D) : x;
  n.dispose();
  return out;
}
