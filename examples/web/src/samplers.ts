// The samplers the page offers: @edm/core's sampler table, by the same names `edm generate --sampler` takes.
import { DEFAULT_SAMPLER, SAMPLERS, samplerEntry, type SamplerEntry, type SamplerName } from '@edm/core';

export { DEFAULT_SAMPLER, SAMPLERS };

/** The sampler named `name` (a value of the sampler select); throws naming the name and the choices. */
export function samplerByName(name: string): SamplerEntry {
  try {
    return samplerEntry(name);
  } catch {
    throw new Error(`Sampler: expected one of ${SAMPLERS.map((s) => s.name).join(', ')}, got '${name}'`);
  }
}

/** The sampler's name, checked. */
export function samplerName(name: string): SamplerName {
  return samplerByName(name).name;
}
