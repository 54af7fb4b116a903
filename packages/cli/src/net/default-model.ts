// The shipped MNIST model, resolved relative to the built CLI file (dist/cli.js -> ../models/...), so it is
// found from any working directory and when the package is installed from npm (package.json `files`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** File name of the shipped class-conditional MNIST checkpoint (EMA weights). */
export const DEFAULT_MODEL_FILE = 'mnist-cond.safetensors';
/** File name of the shipped MNIST digit judge (`edm metrics --detector mnist`). */
export const MNIST_JUDGE_FILE = 'mnist-judge.safetensors';

/** Absolute path of a file shipped in the package's models/ folder. */
export function shippedPath(file: string): string {
  return fileURLToPath(new URL(`../models/${file}`, import.meta.url));
}

/** Absolute path of the shipped checkpoint. */
export function defaultModelPath(): string {
  return shippedPath(DEFAULT_MODEL_FILE);
}

/** The shipped checkpoint's path, or undefined when this install has none. */
export function findDefaultModel(): string | undefined {
  const p = defaultModelPath();
  return existsSync(p) ? p : undefined;
}
