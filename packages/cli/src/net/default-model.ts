// The shipped MNIST model, resolved relative to the built CLI file (dist/cli.js -> ../models/...), so it is
// found from any working directory and when the package is installed from npm (package.json `files`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** File name of the shipped class-conditional MNIST checkpoint (EMA weights). */
export const DEFAULT_MODEL_FILE = 'mnist-cond.safetensors';
/**
 * The shipped model's guide for autoguidance (an early, short-EMA snapshot of the same training run) and its
 * weight: `edm generate` without --net samples the shipped model guided by it, unless --guide, --cfg or
 * --guidance say otherwise (--guidance 1: the model alone).
 */
export const SHIPPED_GUIDE_FILE = 'mnist-cond-guide.safetensors';
export const SHIPPED_GUIDANCE = 3;
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

/**
 * Sampler options with the shipped model's guidance filled in where the user gave none: the shipped guide
 * (when installed) at SHIPPED_GUIDANCE, or at the user's --guidance. For the shipped model only.
 */
export function withShippedGuidance<T extends { guide?: string; guidance?: number; cfg?: number }>(options: T): T {
  if (options.guide !== undefined || options.cfg !== undefined) return options;
  const guide = shippedPath(SHIPPED_GUIDE_FILE);
  if (!existsSync(guide)) return options;
  return { ...options, guide, guidance: options.guidance ?? SHIPPED_GUIDANCE };
}
