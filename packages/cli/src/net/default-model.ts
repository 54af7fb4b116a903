// The shipped MNIST model, resolved relative to the built CLI file (dist/cli.js -> ../models/...), so it is
// found from any working directory and when the package is installed from npm (package.json `files`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** File name of the shipped class-conditional MNIST checkpoint (EMA weights). */
export const DEFAULT_MODEL_FILE = 'mnist-cond.safetensors';

/** Absolute path of the shipped checkpoint. */
export function defaultModelPath(): string {
  return fileURLToPath(new URL(`../models/${DEFAULT_MODEL_FILE}`, import.meta.url));
}

/** The shipped checkpoint's path, or undefined when this install has none. */
export function findDefaultModel(): string | undefined {
  const p = defaultModelPath();
  return existsSync(p) ? p : undefined;
}
