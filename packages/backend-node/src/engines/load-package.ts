// Loading an optional npm package: "not installed" (it cannot be resolved) is told apart from "failed to
// load" (it resolves, but importing it throws: a missing native library, CUDA, ...).
import { createRequire } from 'node:module';
import { EngineUnavailable } from '../types';

/** Whether `name` resolves from this package (or, once bundled, from the bundle's location). */
export function isInstalled(name: string): boolean {
  const require = createRequire(import.meta.url);
  for (const probe of [`${name}/package.json`, name]) {
    try {
      require.resolve(probe);
      return true;
    } catch {
      // try the next probe (packages whose "exports" hide package.json)
    }
  }
  return false;
}

/** Imports an optional package, throwing EngineUnavailable('not-installed' | 'load-failed'). */
export async function importOptional<T>(name: string, installHint: string): Promise<T> {
  if (!isInstalled(name)) {
    throw new EngineUnavailable('not-installed', `${name} is not installed (${installHint})`);
  }
  try {
    // A variable specifier: bundlers leave it alone, so an optional peer need not exist at bundle time.
    const specifier = name;
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new EngineUnavailable('load-failed', `${name} failed to load: ${message}`);
  }
}
