// End to end: build examples/web with Vite, serve the build on 127.0.0.1, drive headless Debian Chromium,
// and check that (a) sampling draws live previews and the final images on the canvas, (b) the canvas pixels
// equal the grid `edm generate` (the built CLI) writes for the same checkpoint, seeds, class and options
// (on the page's default backend, and on WebGPU with the NVlabs fixture net picked from disk),
// (c) Cancel stops sampling and leaks no tensor, (d) a corrupt file shows an error on the page, and so does
// a browser with neither WebGPU nor WebGL, (e) an EDM2 checkpoint with a second one as autoguidance guide
// equals `edm generate --guide --guidance`, and a guide of other images is refused naming both, (f) the
// default page samples the shipped model guided by the shipped guide at the shipped weight
// (packages/cli/models/shipped.json): its grid equals `edm generate` without --net, and "No guide" turns it off;
// a shipped guide that does not load leaves a note and the model sampling.
// While the shipped guide's file is absent, EDM_WEB_GUIDE=/path/to/guide.safetensors (as the app's build
// takes it) stands in for it, compared with `edm generate --net <shipped model> --guide <it>`; with neither,
// (f) is skipped with a loud line.
// Saves a screenshot of the page: to docs/web-example.png (shown in examples/web/README.md) when
// UPDATE_SCREENSHOT=1, else to the temporary folder (so a test run never rewrites a tracked file).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StackedRandomGenerator, autoguidance, edmDiscretization, edmSampler } from '@edm/core';
import { createNetwork, loadNetwork, saveNetwork } from '@edm/models';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../system-deps';
import { launchChromium } from './browser';
import { buildWebApp, requireBuilt, runNode } from './processes';
import { serveStatic, type StaticServer } from './serve';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MODELS = join(root, 'packages/cli/models');
// The shipped files and weight are named once, in shipped.json (read by the CLI and the app's build).
const SHIPPED_JSON = JSON.parse(readFileSync(join(MODELS, 'shipped.json'), 'utf8')) as { model: string; guide: string; guidance: number };
const SHIPPED = join(MODELS, SHIPPED_JSON.model);
const SHIPPED_GUIDE = join(MODELS, SHIPPED_JSON.guide);
/** A stand-in for the shipped guide, given as the app's build takes one (an empty variable counts as unset). */
const STAND_IN_GUIDE = process.env.EDM_WEB_GUIDE || undefined;
const CLI = join(root, 'packages/cli/dist/cli.js');
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? join(root, 'docs/web-example.png')
  : join(tmpdir(), 'edm-web-example.png');
const FIXTURE = join(root, 'test/fixtures/edm_ddpmpp.safetensors'); // 8x8 RGB, unconditional (NVlabs reference net)
// NVlabs/edm2 reference nets: 16x16 RGB, 10 classes, and a smaller guide of the same images.
const EDM2 = join(root, 'test/fixtures/edm2_small.safetensors');
const EDM2_GUIDE = join(root, 'test/fixtures/edm2_small_guide.safetensors');

// One request, small enough for a CPU-only machine (SwiftShader WebGL in the browser, cpu in Node), with
// churn on so the seeded noise path is compared too.
const REQUEST = { seed: 10, batch: 4, classIndex: 7, steps: 6, sChurn: 10, sMin: 0.05, sMax: 50, sNoise: 1.003 };
const SEEDS = `${REQUEST.seed}-${REQUEST.seed + REQUEST.batch - 1}`;
/** REQUEST as `edm generate` arguments (the page's CLI line prints the same flags). */
const REQUEST_ARGS = ['--seeds', SEEDS, '--class', String(REQUEST.classIndex), '--steps', String(REQUEST.steps),
  '--s-churn', String(REQUEST.sChurn), '--s-min', String(REQUEST.sMin), '--s-max', String(REQUEST.sMax), '--s-noise', String(REQUEST.sNoise)];

let work: string;
let checkpoint: string;
let server: StaticServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let cliGrid: Promise<PNG>;
let fixtureGrid: Promise<PNG>;
let guidedGrid: Promise<PNG>;
/**
 * The guide the default page is sampled with and the CLI arguments that make its images (none: `edm generate`
 * without --net), or why there is none.
 */
let defaultGuide: { file: string; cliArgs: string[] } | { file: null; why: string };
let defaultGuidedGrid: Promise<PNG> | undefined;
const pageErrors: string[] = [];

/** A class-conditional MNIST-shaped DDPM++ (the mnist preset's shape), random weights: used only when
 * this checkout has no shipped model. */
async function randomMnistCheckpoint(path: string): Promise<void> {
  await tf.setBackend('cpu');
  const net = createNetwork({ class_name: 'EDMPrecond', kwargs: { img_resolution: 28, img_channels: 1, label_dim: 10,
    use_fp16: false, model_type: 'SongUNet', embedding_type: 'positional', encoder_type: 'standard', decoder_type: 'standard',
    channel_mult_noise: 1, resample_filter: [1, 1], model_channels: 12, channel_mult: [1, 2, 2], num_blocks: 1,
    attn_resolutions: [], dropout: 0 } }, { seed: 3 });
  writeFileSync(path, saveNetwork(net));
  net.dispose();
}

const state = () => page.evaluate(() => document.body.dataset.state);
const waitState = (states: string[], timeout: number) =>
  page.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states, { timeout, polling: 250 });
/** Clicks a button from page script: a Playwright pointer click waits for input acks a busy page may delay. */
const press = (id: string) => page.evaluate((i) => (document.getElementById(i) as HTMLButtonElement).click(), id);
const text = async (sel: string) => ((await page.textContent(sel)) ?? '').trim();

/** Compares the canvas with a CLI grid PNG (RGB); returns the largest difference and the share within 1. */
function compareWithCli(shown: { width: number; height: number; rgba: number[] }, png: PNG, what: string): { maxDiff: number; within1: number } {
  expect([png.width, png.height]).toEqual([shown.width, shown.height]);
  const diffs: number[] = [];
  for (let k = 0; k < png.width * png.height; k++) {
    for (let ch = 0; ch < 3; ch++) diffs.push(Math.abs(png.data[k * 4 + ch]! - shown.rgba[k * 4 + ch]!));
    expect(shown.rgba[k * 4 + 3]).toBe(255);
  }
  const maxDiff = Math.max(...diffs);
  const within1 = diffs.filter((d) => d <= 1).length / diffs.length;
  console.log(`${what}: max |diff| ${maxDiff}/255, ${(within1 * 100).toFixed(2)}% of values within 1`);
  return { maxDiff, within1 };
}

async function canvasPixels(p: Page = page): Promise<{ width: number; height: number; rgba: number[] }> {
  return p.evaluate(() => {
    const c = document.getElementById('grid') as HTMLCanvasElement;
    return { width: c.width, height: c.height, rgba: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) };
  });
}

beforeAll(async () => {
  requireBuilt(root, ['packages/core/dist/index.js', 'packages/models/dist/index.js', 'packages/backend-webgpu/dist/index.js',
    'packages/backend-wasm/dist/index.js', 'packages/backend-node/dist/index.js', 'packages/cli/dist/cli.js']);
  work = mkdtempSync(join(tmpdir(), 'edm-web-e2e-'));
  checkpoint = SHIPPED;
  if (!existsSync(SHIPPED)) {
    checkpoint = join(work, 'random-mnist.safetensors');
    await randomMnistCheckpoint(checkpoint);
  }
  const w = String(SHIPPED_JSON.guidance);
  if (checkpoint !== SHIPPED) defaultGuide = { file: null, why: `${SHIPPED} does not exist (a random net stands in for the model)` };
  else if (STAND_IN_GUIDE) defaultGuide = { file: STAND_IN_GUIDE, cliArgs: ['--net', SHIPPED, '--guide', STAND_IN_GUIDE, '--guidance', w] };
  else if (existsSync(SHIPPED_GUIDE)) defaultGuide = { file: SHIPPED_GUIDE, cliArgs: [] };
  else defaultGuide = { file: null, why: `${SHIPPED_GUIDE} does not exist and EDM_WEB_GUIDE names no stand-in` };
  if (defaultGuide.file === null) {
    console.warn(`*** web e2e: NOT TESTED: the default page guided by the shipped guide (test f): ${defaultGuide.why}`);
  } else if (defaultGuide.file !== SHIPPED_GUIDE) {
    console.warn(`*** web e2e: the shipped guide ${SHIPPED_GUIDE} is ${existsSync(SHIPPED_GUIDE) ? 'replaced' : 'absent'}: ` +
      `EDM_WEB_GUIDE=${STAND_IN_GUIDE} stands in, compared with edm generate --net --guide, NOT edm generate without --net`);
  }
  // The CLI's images, computed while the app builds and the browser samples (one at a time: few cores).
  const defaultGuidedPath = join(work, 'default-guided-grid.png');
  defaultGuidedGrid = defaultGuide.file === null ? undefined
    : runNode([CLI, 'generate', ...defaultGuide.cliArgs, ...REQUEST_ARGS, '--grid', defaultGuidedPath, '--backend', 'cpu'],
      { cwd: work, what: 'edm generate (default: shipped model and guide)' }).then(() => PNG.sync.read(readFileSync(defaultGuidedPath)));
  const gridPath = join(work, 'cli-grid.png');
  cliGrid = Promise.resolve(defaultGuidedGrid?.catch(() => undefined)).then(() => runNode([CLI, 'generate', '--net', checkpoint,
    ...REQUEST_ARGS, '--grid', gridPath, '--backend', 'cpu'], { cwd: work, what: 'edm generate' }))
    .then(() => PNG.sync.read(readFileSync(gridPath)));
  const fixturePath = join(work, 'fixture-grid.png');
  fixtureGrid = cliGrid.catch(() => undefined).then(() => runNode([CLI, 'generate', '--net', FIXTURE, '--seeds', '0-1',
    '--steps', '4', '--s-churn', '10', '--grid', fixturePath, '--backend', 'cpu'], { cwd: work, what: 'edm generate (fixture)' }))
    .then(() => PNG.sync.read(readFileSync(fixturePath)));
  const guidedPath = join(work, 'guided-grid.png');
  guidedGrid = fixtureGrid.catch(() => undefined).then(() => runNode([CLI, 'generate', '--net', EDM2, '--guide', EDM2_GUIDE,
    '--guidance', '2.2', '--seeds', '0-1', '--steps', '3', '--grid', guidedPath, '--backend', 'cpu'], { cwd: work, what: 'edm generate (edm2 guided)' }))
    .then(() => PNG.sync.read(readFileSync(guidedPath)));
  defaultGuidedGrid?.catch(() => undefined); // awaited (and reported) by the parity tests
  cliGrid.catch(() => undefined);
  fixtureGrid.catch(() => undefined);
  guidedGrid.catch(() => undefined);
  const dist = join(work, 'dist');
  // The shipped model: the app's default build (its guide too, or the stand-in); else the random net, unguided.
  await buildWebApp(root, dist, checkpoint === SHIPPED ? { guide: STAND_IN_GUIDE } : { model: checkpoint });
  server = await serveStatic(dist);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describeWith('chromium', 'examples/web in headless Chromium', () => {
  it('starts a backend, says which, and loads the shipped checkpoint (and its guide at the shipped weight)', async () => {
    await waitState(['ready', 'error'], 60_000);
    expect(await text('#error')).toBe('');
    expect(await state()).toBe('ready');
    expect(await text('#backend')).toMatch(/^(WebGPU on .+|wasm \(WebAssembly (SIMD|without SIMD), \d+ threads?; .+\)|WebGL fallback \(.+\); renderer: .+)$/);
    expect(await text('#model')).toContain(`${basename(checkpoint)} (`);
    expect(await text('#model')).toContain('28x28x1, class-conditional, 10 classes');
    if (defaultGuide.file === null) {
      expect(await text('#guide')).toBe('none (no autoguidance)');
      return;
    }
    const name = basename(defaultGuide.file);
    const guideLine = await text('#guide');
    expect(guideLine.startsWith(`${name} (`), guideLine).toBe(true);
    expect(guideLine.endsWith('): 28x28x1 images, 10 classes; D = w D_model + (1 - w) D_guide'), guideLine).toBe(true);
    expect(await page.inputValue('#guidance')).toBe(String(SHIPPED_JSON.guidance));
    expect(await text('#cli')).toBe(`edm generate --net ${basename(checkpoint)} --seeds 0-15 --steps 18 --guide ${name} ` +
      `--guidance ${SHIPPED_JSON.guidance} --grid grid.png`);
  });

  it('chooses wasm where WebGPU has no hardware adapter, and runs the page\'s default request (16 digits, 18 steps): its time next to Node\'s', async () => {
    const chosen = await text('#backend');
    // WebGPU on a hardware adapter comes first; else wasm, before WebGL (SwiftShader here: 117 s for this request).
    if (!/^WebGPU on .+, hardware$/.test(chosen)) expect(chosen).toMatch(/^wasm \(WebAssembly SIMD, \d+ threads?; .+\)$/);
    await press('sample'); // the page's defaults: seed 0, batch 16, class = seed mod 10, the edm sampler's 18 steps
    await waitState(['done', 'error', 'cancelled'], 170_000);
    expect(await text('#error')).toBe('');
    expect(await text('#step')).toBe('Done: 16 image(s), 18 steps (final x_N shown).');
    const page = Number(/^Total (\d+\.\d) s on /.exec(await text('#time'))![1]);
    // The same request in Node on this machine's default engine (wasm, our kernels, one thread per core), cold
    // like the page's first click; the ratio is printed, not asserted (speed targets live in benchmarks).
    const { useNodeBackend } = await import('@edm/backend-node');
    const engine = await useNodeBackend({ backend: 'wasm' });
    const net = await loadNetwork(readFileSync(checkpoint));
    // The page samples with the shipped guide where it has one: so does Node.
    const guideNet = defaultGuide.file === null ? null : await loadNetwork(readFileSync(defaultGuide.file));
    const seeds = Array.from({ length: 16 }, (_, i) => i);
    const rnd = new StackedRandomGenerator(seeds);
    const t0 = performance.now();
    const latents = rnd.randn([16, net.imgResolution, net.imgResolution, net.imgChannels]) as tf.Tensor4D;
    const labels = tf.oneHot(tf.tensor1d(seeds.map((s) => s % net.labelDim), 'int32'), net.labelDim).toFloat() as tf.Tensor2D;
    const denoiser = guideNet === null ? net : autoguidance(net, guideNet, { weight: SHIPPED_JSON.guidance });
    const x = await edmSampler(denoiser, latents, { numSteps: 18, classLabels: labels, randnLike: rnd.randnLike });
    await x.data();
    const node = (performance.now() - t0) / 1000;
    tf.dispose([latents, labels, x]);
    net.dispose();
    guideNet?.dispose();
    const what = guideNet === null ? '' : `, guided by ${basename(defaultGuide.file!)} at w = ${SHIPPED_JSON.guidance}`;
    console.log(`default request (16 digits, 18 steps${what}): page ${page.toFixed(1)} s on ${chosen}; Node ${node.toFixed(2)} s on ` +
      `wasm (${engine.threads ?? 1} thread(s)); page / Node = ${(page / node).toFixed(2)}`);
  }, 240_000);

  it('(d) shows an error on the page for a corrupt file, and keeps the loaded model', async () => {
    const cases = [
      { name: 'corrupt.safetensors', bytes: Buffer.from('this is not a safetensors file, just some text'), why: /not a valid edm checkpoint: .+/ },
      { name: 'truncated.safetensors', bytes: readFileSync(checkpoint).subarray(0, 4096), why: /not a valid edm checkpoint: .+/ },
    ];
    for (const c of cases) {
      await page.setInputFiles('#file', { name: c.name, mimeType: 'application/octet-stream', buffer: c.bytes });
      await waitState(['error'], 30_000);
      expect(await page.isVisible('#error')).toBe(true);
      const shown = await text('#error');
      expect(shown.startsWith(`${c.name}: `)).toBe(true);
      expect(shown).toMatch(c.why);
      expect(shown).toContain(`Still using ${basename(checkpoint)}.`);
      expect(await page.isEnabled('#sample')).toBe(true);
    }
  });

  /** Types REQUEST into the form (the sampler's fields after the sampler, which renders them). */
  async function fillRequest(): Promise<void> {
    await page.fill('#seed', String(REQUEST.seed));
    await page.fill('#batch', String(REQUEST.batch));
    await page.selectOption('#class', String(REQUEST.classIndex));
    await page.selectOption('#sampler', 'edm');
    await page.fill('#steps', String(REQUEST.steps));
    await page.fill('#sChurn', String(REQUEST.sChurn));
    await page.fill('#sMin', String(REQUEST.sMin));
    await page.fill('#sMax', String(REQUEST.sMax));
    await page.fill('#sNoise', String(REQUEST.sNoise));
  }
  const requestLine = () => `edm generate --net ${basename(checkpoint)} --seeds ${SEEDS} --class ${REQUEST.classIndex} --steps ${REQUEST.steps} ` +
    `--s-churn ${REQUEST.sChurn} --s-min ${REQUEST.sMin} --s-max ${REQUEST.sMax} --s-noise ${REQUEST.sNoise}`;

  it('(f) the default page is edm generate without --net: the shipped model guided by the shipped guide; "No guide" turns it off', async (ctx) => {
    if (defaultGuide.file === null) {
      console.warn(`*** web e2e: SKIPPED (f), the default page guided by the shipped guide: ${defaultGuide.why}`);
      ctx.skip();
      return;
    }
    const name = basename(defaultGuide.file);
    await fillRequest();
    expect(await page.inputValue('#guidance')).toBe(String(SHIPPED_JSON.guidance));
    expect(await text('#cli')).toBe(`${requestLine()} --guide ${name} --guidance ${SHIPPED_JSON.guidance} --grid grid.png`);
    await press('sample');
    await waitState(['done', 'error', 'cancelled'], 170_000);
    expect(await text('#error')).toBe('');
    expect(await text('#step')).toBe(`Done: ${REQUEST.batch} image(s), ${REQUEST.steps} steps (final x_N shown).`);
    const what = defaultGuide.cliArgs.length === 0 ? 'edm generate without --net' : `edm generate ${defaultGuide.cliArgs.join(' ')} (stand-in guide)`;
    const { maxDiff, within1 } = compareWithCli(await canvasPixels(), await defaultGuidedGrid!, `web default (guided by ${name}) vs ${what}`);
    expect(maxDiff).toBeLessThanOrEqual(4);
    expect(within1).toBeGreaterThanOrEqual(0.99);
    await press('guide-clear');
    expect(await text('#guide')).toBe('none (no autoguidance)');
    expect(await text('#cli')).toBe(`${requestLine()} --grid grid.png`);
    expect(await page.isDisabled('#guide-clear')).toBe(true);
  }, 180_000);

  it('(a, b) samples with live previews; the canvas equals edm generate\'s grid', async () => {
    await fillRequest();
    // The page tells the user the CLI command that makes the same images: the one this test runs (unguided:
    // (f) turned the shipped guide off).
    expect(await text('#cli')).toBe(`${requestLine()} --grid grid.png`);
    // Record what the page shows at each step: the step line and the canvas.
    await page.evaluate(() => {
      const w = window as unknown as { seen: { step: string; canvas: string }[] };
      w.seen = [];
      const step = document.getElementById('step')!;
      const canvas = document.getElementById('grid') as HTMLCanvasElement;
      new MutationObserver(() => w.seen.push({ step: step.textContent ?? '', canvas: canvas.toDataURL() }))
        .observe(step, { childList: true, characterData: true, subtree: true });
    });
    await press('sample');
    await waitState(['done', 'error', 'cancelled'], 170_000);
    expect(await text('#error')).toBe('');
    expect(await state()).toBe('done');
    expect(await text('#step')).toBe(`Done: ${REQUEST.batch} image(s), ${REQUEST.steps} steps (final x_N shown).`);
    expect(await text('#time')).toMatch(/^Total \d+\.\d s on (webgpu|wasm|webgl)\.$/);
    expect(await page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value)).toBe(REQUEST.steps);

    // Live previews: one per step, with the step's noise levels t_i -> t_{i+1} (EDM discretization, eq. 5).
    const seen = await page.evaluate(() => (window as unknown as { seen: { step: string; canvas: string }[] }).seen);
    const steps = seen.map((s) => /^Step (\d+)\/(\d+): sigma ([\d.e-]+) → ([\d.e-]+)/.exec(s.step)).filter((m) => m !== null);
    const t = edmDiscretization(REQUEST.steps);
    expect(steps.map((m) => Number(m[1]))).toEqual(Array.from({ length: REQUEST.steps }, (_, i) => i + 1));
    // The page prints sigma with 3 decimals (>= 1) or 3 significant digits (< 1).
    const close = (shown: string, want: number) => Math.abs(Number(shown) - want) <= Math.max(5e-4, 5e-3 * want);
    steps.forEach((m, i) => {
      expect(close(m[3]!, t[i]!), `step ${i + 1}: sigma ${m[3]} vs t_${i} = ${t[i]}`).toBe(true);
      expect(close(m[4]!, t[i + 1]!), `step ${i + 1}: next sigma ${m[4]} vs t_${i + 1} = ${t[i + 1]}`).toBe(true);
    });
    const previews = new Set(seen.filter((s) => s.step.startsWith('Step ')).map((s) => s.canvas));
    expect(previews.size).toBeGreaterThanOrEqual(REQUEST.steps - 1); // the denoised estimate changes step to step

    // (a) The canvas holds the grid of images (2 x 2 of 28 x 28), not a blank.
    const shown = await canvasPixels();
    expect([shown.width, shown.height]).toEqual([56, 56]);
    const gray = shown.rgba.filter((_, k) => k % 4 === 0);
    const mean = gray.reduce((a, b) => a + b, 0) / gray.length;
    const std = Math.sqrt(gray.reduce((a, b) => a + (b - mean) ** 2, 0) / gray.length);
    expect(std).toBeGreaterThan(20);
    const box = await page.locator('#grid').boundingBox();
    expect(box!.width).toBeGreaterThan(200); // enlarged on the page (pixelated), not 56 px
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // (b) Pixel for pixel against `edm generate` in Node (cpu backend): the same 8-bit values, up to float
    // rounding between the browser's GPU backend and tfjs-cpu.
    const { maxDiff, within1 } = compareWithCli(shown, await cliGrid, `web (${await text('#backend')}) vs CLI`);
    expect(maxDiff).toBeLessThanOrEqual(4);
    expect(within1).toBeGreaterThanOrEqual(0.99);
  }, 180_000);

  it('(c) Cancel stops sampling between steps and leaks no tensor', async () => {
    const live = async () => Number(/Live tensors: (\d+)/.exec(await text('#tensors'))?.[1]);
    const before = await live();
    expect(before).toBeGreaterThan(0);
    await page.fill('#steps', '200');
    await press('sample');
    await page.waitForFunction(() => /^Step [1-9]\d*\/200/.test(document.getElementById('step')!.textContent ?? ''), null, { timeout: 60_000, polling: 100 });
    await press('cancel');
    await waitState(['cancelled', 'done', 'error'], 30_000);
    expect(await state()).toBe('cancelled');
    const m = /^Cancelled after (\d+) of 200 steps\.$/.exec(await text('#step'));
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(1);
    expect(Number(m![1])).toBeLessThan(200);
    expect(await text('#error')).toBe('');
    expect(await live()).toBe(before);
    expect(await page.isEnabled('#sample')).toBe(true);
    expect(await page.isDisabled('#cancel')).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('(b) on WebGPU too (?software=1 accepts SwiftShader): an RGB checkpoint picked from disk equals edm generate', async () => {
    const gpu = await browser.context.newPage();
    gpu.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await gpu.goto(`${server.url}?software=1`);
      await gpu.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000, polling: 250 });
      expect(((await gpu.textContent('#backend')) ?? '').trim()).toMatch(/^WebGPU on .+, (software|hardware)$/);
      await gpu.setInputFiles('#file', FIXTURE);
      await gpu.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 30_000, polling: 100 });
      expect(((await gpu.textContent('#model')) ?? '').trim()).toMatch(/^edm_ddpmpp\.safetensors \(.+\): 8x8x3, unconditional$/);
      expect(await gpu.isDisabled('#class')).toBe(true);
      await gpu.fill('#seed', '0');
      await gpu.fill('#batch', '2');
      await gpu.fill('#steps', '4');
      await gpu.fill('#sChurn', '10');
      expect(((await gpu.textContent('#cli')) ?? '').trim())
        .toBe('edm generate --net edm_ddpmpp.safetensors --seeds 0-1 --steps 4 --s-churn 10 --grid grid.png');
      await gpu.evaluate(() => (document.getElementById('sample') as HTMLButtonElement).click());
      await gpu.waitForFunction(() => !['sampling'].includes(document.body.dataset.state ?? ''), null, { timeout: 120_000, polling: 250 });
      expect(((await gpu.textContent('#error')) ?? '').trim()).toBe('');
      expect(((await gpu.textContent('#time')) ?? '').trim()).toMatch(/ on webgpu\.$/);
      const shown = await canvasPixels(gpu);
      expect([shown.width, shown.height]).toEqual([16, 8]);
      const { maxDiff, within1 } = compareWithCli(shown, await fixtureGrid, 'web (WebGPU) vs CLI, fixture net');
      expect(maxDiff).toBeLessThanOrEqual(4);
      expect(within1).toBeGreaterThanOrEqual(0.99);
    } finally {
      await gpu.close();
    }
  }, 150_000);

  it('(e) an EDM2 checkpoint guided by a second one (autoguidance) equals edm generate --guide; other images are refused', async () => {
    await waitState(['ready', 'done', 'cancelled', 'error'], 60_000);
    await page.setInputFiles('#file', EDM2);
    await waitState(['ready', 'error'], 30_000);
    expect(await text('#model')).toMatch(/^edm2_small\.safetensors \(.+\): 16x16x3, class-conditional, 10 classes$/);
    // A guide of other images (the 28x28x1 checkpoint) is refused, naming both files.
    await page.setInputFiles('#guide-file', checkpoint);
    await waitState(['error'], 30_000);
    expect(await text('#error')).toBe(`${basename(checkpoint)} makes 28x28x1 images, 10 classes, but edm2_small.safetensors makes ` +
      '16x16x3 images, 10 classes: an autoguidance guide must make the same images (resolution, channels, classes)');
    expect(await text('#guide')).toBe('none (no autoguidance)');
    await page.setInputFiles('#guide-file', EDM2_GUIDE);
    await waitState(['ready', 'error'], 30_000);
    expect(await text('#error')).toBe('');
    expect(await text('#guide')).toMatch(/^edm2_small_guide\.safetensors \(.+\): 16x16x3 images, 10 classes; D = w D_model \+ \(1 - w\) D_guide$/);
    await page.fill('#seed', '0');
    await page.fill('#batch', '2');
    await page.selectOption('#class', 'auto');
    await page.selectOption('#sampler', 'edm');
    await page.fill('#steps', '3');
    // Earlier tests typed churn settings: back to the defaults.
    for (const [id, value] of [['sChurn', '0'], ['sMin', '0'], ['sMax', 'inf'], ['sNoise', '1']]) await page.fill(`#${id}`, value!);
    await page.fill('#guidance', '2.2');
    expect(await text('#cli')).toBe('edm generate --net edm2_small.safetensors --seeds 0-1 --steps 3 --guide edm2_small_guide.safetensors ' +
      '--guidance 2.2 --grid grid.png');
    await press('sample');
    await waitState(['done', 'error', 'cancelled'], 120_000);
    expect(await text('#error')).toBe('');
    const shown = await canvasPixels();
    expect([shown.width, shown.height]).toEqual([32, 16]);
    const { maxDiff, within1 } = compareWithCli(shown, await guidedGrid, 'web vs CLI, EDM2 net with autoguidance');
    expect(maxDiff).toBeLessThanOrEqual(4);
    expect(within1).toBeGreaterThanOrEqual(0.99);
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('(d) a shipped guide that does not load: a note in the guide line, and the model still samples', async () => {
    // A second build shipping the model with a truncated guide (EDM_WEB_GUIDE).
    const bad = join(work, 'truncated-guide.safetensors');
    writeFileSync(bad, readFileSync(checkpoint).subarray(0, 4096));
    const dist = join(work, 'dist-bad-guide');
    await buildWebApp(root, dist, { model: checkpoint, guide: bad });
    const badServer = await serveStatic(dist);
    const p = await browser.context.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await p.goto(badServer.url);
      await p.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000, polling: 250 });
      expect(await p.evaluate(() => document.body.dataset.state)).toBe('ready');
      expect(((await p.textContent('#error')) ?? '').trim()).toBe('');
      expect(((await p.textContent('#guide')) ?? '').trim()).toMatch(
        /^none: the shipped guide did not load: truncated-guide\.safetensors: not a valid edm checkpoint: .+/);
      expect(((await p.textContent('#model')) ?? '').trim()).toContain(`${basename(checkpoint)} (`);
      await p.fill('#batch', '1');
      await p.fill('#steps', '2');
      expect(((await p.textContent('#cli')) ?? '').trim()).not.toContain('--guide');
      await p.evaluate(() => (document.getElementById('sample') as HTMLButtonElement).click());
      await p.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.body.dataset.state ?? ''), null, { timeout: 60_000, polling: 250 });
      expect(((await p.textContent('#step')) ?? '').trim()).toBe('Done: 1 image(s), 2 steps (final x_N shown).');
      expect(pageErrors).toEqual([]);
    } finally {
      await p.close();
      await badServer.close();
    }
  }, 150_000);

  it('(d) says so on the page when the browser has neither WebGPU, WebAssembly nor WebGL', async () => {
    // No GPU process and no software rasteriser: navigator.gpu has no adapter and WebGL cannot start; the page's
    // WebAssembly global removed before its scripts run: wasm cannot start either.
    const bare = await launchChromium(['--disable-gpu', '--disable-software-rasterizer', '--disable-3d-apis']);
    try {
      const p = await bare.context.newPage();
      await p.addInitScript(() => { delete (globalThis as { WebAssembly?: unknown }).WebAssembly; });
      await p.goto(server.url);
      await p.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 60_000, polling: 250 });
      const shown = ((await p.textContent('#error')) ?? '').trim();
      expect(shown).toMatch(/^No compute backend: no engine could start: WebGPU: .+; wasm: useWasm: this engine has no WebAssembly; WebGL: .+/);
      expect(shown).toContain('This page needs WebGPU, WebAssembly or WebGL 2');
      expect(await p.isVisible('#error')).toBe(true);
      expect(await p.isDisabled('#sample')).toBe(true);
    } finally {
      await bare.close();
    }
  }, 90_000);
});
