// Headless Debian Chromium through playwright-core (never a downloaded browser), with WebGPU exposed and a
// fresh profile that is removed on close.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, missingSystemDep } from '../system-deps';


/** Launches headless Chromium with a fresh user-data-dir (plus `extraArgs`); close() also removes the profile. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const missing = missingSystemDep('chromium');
  if (missing) throw new Error(`${CHROMIUM} not found: ${missing}`);
  const profile = mkdtempSync(join(tmpdir(), 'edm-web-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 760 },
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', ...extraArgs],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
