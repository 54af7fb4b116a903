// The `edm generate` command that makes the same images in Node as the page (same checkpoint, seeds, class
// and sampler options), shown under the canvas.
import type { SamplerChoice } from './samplers';
import type { SampleSettings } from './settings';

/** The CLI arguments for these settings (without the leading `edm generate`); null when the CLI lacks the sampler. */
export function cliArgs(s: SampleSettings, sampler: SamplerChoice, netFile: string, grid = 'grid.png'): string[] | null {
  if (sampler.cliFlags === null) return null;
  const args = ['--net', netFile, '--seeds', s.batch === 1 ? `${s.seed}` : `${s.seed}-${s.seed + s.batch - 1}`];
  if (s.classIndex !== null) args.push('--class', String(s.classIndex));
  args.push('--steps', String(s.steps), ...sampler.cliFlags);
  if (sampler.churn) {
    if (s.sChurn !== 0) args.push('--s-churn', String(s.sChurn));
    if (s.sMin !== 0) args.push('--s-min', String(s.sMin));
    if (s.sMax !== Infinity) args.push('--s-max', String(s.sMax));
    if (s.sNoise !== 1) args.push('--s-noise', String(s.sNoise));
  }
  args.push('--grid', grid);
  return args;
}

/** The command line as text. */
export function cliLine(s: SampleSettings, sampler: SamplerChoice, netFile: string): string {
  const args = cliArgs(s, sampler, netFile);
  return args === null ? `(the CLI has no '${sampler.label}' sampler)` : `edm generate ${args.join(' ')}`;
}
