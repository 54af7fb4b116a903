// The `edm generate` command that makes the same images in Node as the page (same checkpoint, seeds, class,
// sampler and settings), shown under the canvas. Flags are the table's command-line names.
import { DEFAULT_SAMPLER, optionFlag } from '@edm/core';
import { samplerByName } from './samplers';
import { formatValue } from './options-form';
import type { SampleSettings } from './settings';

/**
 * The CLI arguments for these settings (without the leading `edm generate`); `guideFile`: the autoguidance
 * guide's file, used with the settings' guidance weight.
 */
export function cliArgs(s: SampleSettings, netFile: string, grid = 'grid.png', guideFile?: string): string[] {
  const args = ['--net', netFile, '--seeds', s.batch === 1 ? `${s.seed}` : `${s.seed}-${s.seed + s.batch - 1}`];
  if (s.classIndex !== null) args.push('--class', String(s.classIndex));
  if (s.sampler !== DEFAULT_SAMPLER) args.push('--sampler', s.sampler);
  for (const [key, spec] of Object.entries(samplerByName(s.sampler).options)) {
    const value = s.settings[key];
    // The steps always (the page's main setting); the others where they differ from the default.
    if (value === undefined || (key !== 'numSteps' && value === spec.default)) continue;
    args.push(`--${optionFlag(key, spec)}`, formatValue(value));
  }
  if (guideFile !== undefined && s.guidance !== undefined) args.push('--guide', guideFile, '--guidance', formatValue(s.guidance));
  args.push('--grid', grid);
  return args;
}

/** The command line as text. */
export function cliLine(s: SampleSettings, netFile: string, guideFile?: string): string {
  return `edm generate ${cliArgs(s, netFile, 'grid.png', guideFile).join(' ')}`;
}
