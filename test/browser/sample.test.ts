// A real browser: headless Debian chromium loads a page (esbuild bundle of @edm/core, @edm/models and
// @edm/backend-webgpu from their built dist) served from 127.0.0.1, samples the edm_ddpmpp fixture on WebGPU
// (SwiftShader, allowed explicitly) and on the WebGL fallback (the default refuses the software adapter), and
// the numbers are compared here with the NVlabs reference: D_x within 1e-4 abs, 5-step Heun within
// 1e-3 x max(1, max|ref|).
import type { Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compare, ddpmppFixture, fixtureValues } from '../engines/fixture';
import type { PageMode, PageResult } from './page/main';
import { describeWith } from '../system-deps';
import { bundlePage, checkPrerequisites, launchChromium, servePage } from './serve';

let server: Server | undefined;
let context: BrowserContext | undefined;
let url = '';

async function runInPage(mode: PageMode, sample: boolean): Promise<PageResult> {
  const page: Page = await context!.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'edm-ready' || document.title === 'edm', undefined, { timeout: 30_000 });
    if (await page.title() !== 'edm-ready') throw new Error('the page script did not start');
    return await page.evaluate(([m, s]) => (globalThis as unknown as {
      edmRun: (mode: string, sample: boolean) => Promise<PageResult>;
    }).edmRun(m, s), [mode, sample] as const);
  } catch (e) {
    throw new Error(`${(e as Error).message}\npage log:\n${logs.join('\n')}`);
  } finally {
    await page.close();
  }
}

function checkNumbers(label: string, r: PageResult): void {
  const f = ddpmppFixture();
  const dx = compare(r.dx, fixtureValues(f, 'fixture.D_x').values);
  const heun = compare(r.heun, fixtureValues(f, 'fixture.sample.heun').values);
  const heunErr = heun.maxAbsErr / Math.max(1, heun.maxRef);
  console.log(`browser ${label}: D_x max abs err ${dx.maxAbsErr.toExponential(2)}; heun max abs err / max(1, ` +
    `${heun.maxRef.toFixed(2)}) = ${heunErr.toExponential(2)}; ms ${JSON.stringify(r.ms, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}`);
  expect(dx.maxAbsErr).toBeLessThanOrEqual(1e-4);
  expect(heunErr).toBeLessThanOrEqual(1e-3);
  expect(r.numTensorsLeaked).toBe(0);
}

describeWith('chromium', 'headless chromium: sampling in a browser page', () => {
  beforeAll(async () => {
    checkPrerequisites();
    const { code, inputs } = await bundlePage();
    // The bundle is built from the packages' dist, as a user's bundler sees them.
    for (const pkg of ['core', 'models', 'backend-webgpu']) {
      expect(inputs.some((p) => p.includes(`packages/${pkg}/dist/`)), pkg).toBe(true);
      expect(inputs.some((p) => p.includes(`packages/${pkg}/src/`)), pkg).toBe(false);
    }
    expect(inputs.some((p) => /(^|\/)webgpu\/(index|dist)/.test(p) && !p.includes('@tensorflow')), 'Dawn in the browser bundle').toBe(false);
    ({ url, server } = await servePage(code));
    context = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
    server?.close();
  });

  it('WebGPU (SwiftShader adapter, allowed explicitly) matches the reference', async () => {
    const r = await runInPage('webgpu', true);
    expect(r.backend).toBe('webgpu');
    expect(r.report.backend).toBe('webgpu');
    expect(r.report.adapter).toMatchObject({ architecture: 'swiftshader', isSoftware: true });
    checkNumbers('webgpu', r);
  });

  it('falls back to WebGL when only a software adapter exists (refused by default), says why, and matches', async () => {
    const r = await runInPage('default', true);
    expect(r.backend).toBe('webgl');
    expect(r.report.backend).toBe('webgl');
    expect(r.report.fallbackReason).toMatch(/only a software adapter is available \(google swiftshader/);
    checkNumbers('webgl fallback', r);
  });

  it('falls back to WebGL without navigator.gpu, and says so', async () => {
    const r = await runInPage('no-webgpu', false);
    expect(r.backend).toBe('webgl');
    expect(r.report.fallbackReason).toMatch(/navigator\.gpu is missing/);
  });
});
