// The shipped MNIST model, resolved relative to the built CLI file (dist/cli.js -> ../models/...), so it is
// found from any working directory and when the package is installed from npm (package.json `files`).
// The file names and the guidance weight are said once, in models/shipped.json, read by models/shipped.mjs for
// this CLI and for the web app's build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readShippedJson } from '../../models/shipped.mjs';

/**
 * The package's models/ folder: next to dist/ for the built CLI (dist/cli.js -> ../models), two levels up for
 * these sources run directly (src/net/default-model.ts -> ../../models).
 */
const MODELS_DIR = ['../models/', '../../models/'].map((rel) => new URL(rel, import.meta.url))
  .find((u) => existsSync(new URL('shipped.json', u))) ?? new URL('../models/', import.meta.url);

const SHIPPED = readShippedJson(fileURLToPath(MODELS_DIR));

/** File name of the shipped class-conditional MNIST checkpoint (EMA weights). */
export const DEFAULT_MODEL_FILE = SHIPPED.model;
/**
 * The shipped model's guide for autoguidance (an early snapshot of the same training run) and its weight:
 * `edm generate` without --net samples the shipped model guided by it, unless --guide, --cfg or --guidance say
 * otherwise (--guidance 1: the model alone).
 */
export const SHIPPED_GUIDE_FILE = SHIPPED.guide;
export const SHIPPED_GUIDANCE = SHIPPED.guidance;
/** File name of the shipped MNIST digit judge (`edm metrics --detector mnist`). */
export const MNIST_JUDGE_FILE = SHIPPED.judge;

/** Absolute path of a file shipped in the package's models/ folder. */
export function shippedPath(file: string): string {
  return fileURLToPath(new URL(file, MODELS_DIR));
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
