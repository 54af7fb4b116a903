// System packages some suites need that `npm ci` cannot install: Debian's chromium (the browser the browser
// and web-app tests drive, and whose SwiftShader Vulkan driver gives Dawn a WebGPU adapter in Node), the
// Vulkan loader libvulkan1, and redis-server (the job queue's server). `.ci/run` installs them. Where one is
// missing, a suite is skipped with one loud line naming the apt packages, so `npm test` passes on a fresh
// machine; under CI=true a missing package fails the suite instead (CI must never skip them).
import { existsSync } from 'node:fs';
import { SWIFTSHADER_ICD } from '@edm/backend-webgpu/node';
import { describe } from 'vitest';

/** Debian's chromium binary (driven through playwright-core; never a downloaded browser). */
export const CHROMIUM = '/usr/bin/chromium';
const LIBVULKAN = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

/** Debian's redis-server (the queue's server for the `edm worker` / `--queue` suite; the tests start their own). */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/**
 * What a suite needs: `chromium` (the browser), `swiftshader` (WebGPU through Dawn on the CPU) or `redis`
 * (a Redis server for BullMQ).
 */
export type SystemDep = 'chromium' | 'swiftshader' | 'redis';

/** The apt packages a dependency comes from, and the files that show it is installed. */
const DEPS: Record<SystemDep, { packages: string; present: () => boolean }> = {
  chromium: { packages: 'chromium', present: () => existsSync(CHROMIUM) },
  swiftshader: { packages: 'chromium libvulkan1', present: () => existsSync(SWIFTSHADER_ICD) && LIBVULKAN.some((p) => existsSync(p)) },
  redis: { packages: 'redis-server', present: () => REDIS_SERVER.some((p) => existsSync(p)) },
};

/** The redis-server binary (undefined when not installed). */
export function redisServer(): string | undefined {
  return REDIS_SERVER.find((p) => existsSync(p));
}

/** The message for a missing dependency, or undefined when it is installed. */
export function missingSystemDep(dep: SystemDep): string | undefined {
  const d = DEPS[dep];
  if (d.present()) return undefined;
  return `needs Debian's ${d.packages} (apt-get install ${d.packages}; .ci/run installs ${d.packages.includes(' ') ? 'them' : 'it'})`;
}

/** Throws the message for a missing dependency (inside a suite that runs: it must be there). */
export function requireSystemDep(dep: SystemDep): void {
  const missing = missingSystemDep(dep);
  if (missing) throw new Error(`this suite ${missing}`);
}

/** True when a suite needing `dep` must be skipped here (missing, and not under CI=true); prints the loud line. */
export function skipWithout(dep: SystemDep, suite: string): boolean {
  const missing = missingSystemDep(dep);
  if (!missing || process.env.CI === 'true') return false;
  process.stderr.write(`\n!!! SKIPPED: ${suite}: ${missing}\n\n`);
  return true;
}

/** describe() for a suite that needs `dep`: skipped with one loud line where it is missing (never under CI=true). */
export function describeWith(dep: SystemDep, title: string, fn: () => void): void {
  (skipWithout(dep, title) ? describe.skip : describe)(title, fn);
}
