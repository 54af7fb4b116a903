// The sampler's option fields, generated from @edm/core's sampler table: one field per setting the chosen
// sampler takes, with its label (the reference's name), help, default and range. main.ts renders them into the
// form; settings.ts parses what the user typed against the same table.
import { describeRange, optionFlagKey, type SamplerOptionSpec } from '@edm/core';
import { samplerByName } from './samplers';

/** One field of the options form. */
export interface OptionField {
  /** The setting's key in the table (`sChurn`), the key of SampleSettings.settings. */
  key: string;
  /** The element id: the setting's command-line name in camelCase (`steps` for numSteps, `sChurn`). */
  id: string;
  /** The label: the reference's name (S_churn, num_steps, eta), else the key. */
  label: string;
  /** The help line (title), with the range. */
  title: string;
  /** Its spec in the table. */
  spec: SamplerOptionSpec;
  /** What the field holds at first: the default as typed ('' when it has none: the placeholder says why). */
  initial: string;
  /** Shown in an empty field. */
  placeholder: string;
}

/** A number as the user types it (`inf` for Infinity). */
export function formatValue(v: number | string | boolean): string {
  return v === Infinity ? 'inf' : String(v);
}


/** The fields of the sampler `name`, in the table's order. */
export function optionFields(name: string): OptionField[] {
  return Object.entries(samplerByName(name).options).map(([key, spec]) => {
    const range = spec.kind === 'int' || spec.kind === 'number' ? ` (${describeRange(spec)})` : '';
    return {
      key,
      id: optionFlagKey(key, spec),
      label: spec.reference ?? key,
      title: `${spec.help}${range}`,
      spec,
      initial: spec.default === undefined ? '' : formatValue(spec.default),
      placeholder: spec.default === undefined ? spec.defaultText ?? '' : '',
    };
  });
}
