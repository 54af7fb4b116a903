// One-shot check of WebGPU in Node (Dawn, @edm/backend-webgpu/node) on a real GPU: the adapter; the NVlabs
// edm_ddpmpp fixture's D_x, 5-step Heun sample and loss gradients vs the reference, and the gradients vs the
// cpu backend; forward/training-step medians of the bench configs; sampling time per image of the shipped
// MNIST model (18-step Heun, 35 NFE); our fused WGSL kernels on and off (times and dispatches, CIFAR-10 b1-b64).
// Prints a markdown report and writes $OUT/gpu-check.json (default ./out).
// Run from the repo: node --import tsx packages/bench/src/gpu-check.ts, or bundled (no node_modules,
// data files beside the bundle). Env: ALLOW_SOFTWARE=1 accepts a software adapter (SwiftShader), QUICK=1 the
// tiny config and small batches, DAWN_FLAGS=a,b Dawn toggles, GPU_CHECK_MAX_S overall limit (default 540).
// Argument --probe: only the adapter (exit 0 hardware, 3 none, 4 software only). Each section is guarded:
// one failure or timeout is recorded and the next section runs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Adam, EDMLoss, edmSampler, leanVariableGrads } from '@edm/core';
import { createNetwork, decodeSafetensors, loadNetwork, tensorToFloat32 } from '@edm/models';
import type { Network, SafetensorsTensor } from '@edm/models';
import { WEBGPU_KERNELS } from '@edm/backend-webgpu';
import { formatAdapter, useWebGPUInNode, WebGPUUnavailableError } from '@edm/backend-webgpu/node';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGS } from './configs';

const QUICK = process.env.QUICK === '1';
const PROBE = process.argv.includes('--probe');
const STEPS = QUICK ? 3 : 18; // sampling steps (2 * STEPS - 1 network evaluations)
const OUT = resolve(process.env.OUT || 'out');
const T0 = performance.now();
const now = () => performance.now();
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}Z +${((now() - T0) / 1000).toFixed(1)}s] ${msg}`);
type Json = Record<string, unknown>;
const result: Json & { errors: Json[] } = { startedAt: new Date().toISOString(), node: process.version, execPath: process.execPath,
  quick: QUICK, env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES, VK_DRIVER_FILES: process.env.VK_DRIVER_FILES }, errors: [] };
const timings: Json[] = [];
const sampling: Json[] = [];
Object.assign(result, { timings, sampling });

function save(): void {
  result.totalSeconds = Number(((now() - T0) / 1000).toFixed(1));
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'gpu-check.json'), JSON.stringify(result, null, 2));
}
const watchdog = setTimeout(() => {
  log(`overall limit GPU_CHECK_MAX_S reached: writing what was measured and exiting`);
  result.errors.push({ section: 'all', message: 'overall time limit reached' });
  save();
  report();
  process.exit(5); // Dawn may crash on exit with GPU work in flight (exit 139): the JSON is written already

}, Number(process.env.GPU_CHECK_MAX_S ?? 540) * 1000);

/** A data file: beside this script (the kit), else its place in the repository (cwd = repo root). */
function dataFile(name: string, repoPath: string): Uint8Array {
  const here = dirname(fileURLToPath(import.meta.url));
  const path = [join(here, name), resolve(repoPath)].find((p) => existsSync(p));
  if (!path) throw new Error(`gpu-check: ${name} not found beside the script (${here}) nor at ${resolve(repoPath)}`);
  return new Uint8Array(readFileSync(path));
}

const f1 = (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : 'n/a');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
/** Warm-up, then up to `runs` timed calls while the section's deadline allows; median ms. */
async function timed(fn: () => Promise<void>, runs: number, deadline: number): Promise<{ ms: number; runs: number; warmUpMs: number }> {
  let t = now();
  await fn();
  const warmUpMs = now() - t;
  const ms: number[] = [];
  while (ms.length < runs && (ms.length === 0 || now() + median(ms) < deadline) && now() < deadline) {
    t = now();
    await fn();
    ms.push(now() - t);
  }
  return { ms: ms.length ? median(ms) : warmUpMs, runs: ms.length, warmUpMs };
}

async function section(name: string, fn: () => Promise<void>): Promise<void> {
  log(`${name}: start`);
  try {
    await fn();
    log(`${name}: done`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`${name}: FAILED: ${message}`);
    result.errors.push({ section: name, message });
  }
}

/** max |a - b| / max(1e-30, max |b|) and max |a - b|. */
function compare(ours: ArrayLike<number>, ref: ArrayLike<number>): { maxAbs: number; rel: number } {
  if (ours.length !== ref.length) throw new Error(`length mismatch: ours ${ours.length}, reference ${ref.length}`);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ours[i]! - ref[i]!));
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  return { maxAbs, rel: maxAbs / Math.max(maxRef, 1e-30) };
}

// ---- Adapter -------------------------------------------------------------------------------------------------
try {
  const dawnFlags = process.env.DAWN_FLAGS ? process.env.DAWN_FLAGS.split(',') : [];
  const { adapter } = await useWebGPUInNode({ allowSoftwareAdapter: process.env.ALLOW_SOFTWARE === '1', dawnFlags });
  const device = (tf.backend() as unknown as { device: { limits: Record<string, number>; features: Set<string> } }).device;
  const limits = Object.fromEntries(['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize',
    'maxStorageBuffersPerShaderStage'].map((k) => [k, device.limits[k]]));
  result.adapter = { ...adapter, limits, features: [...device.features] };
  // EDM_TF_FLAGS='{"WEBGPU_CPU_FORWARD":false}': tfjs flags to compare (recorded in the JSON).
  if (process.env.EDM_TF_FLAGS) {
    const flags = JSON.parse(process.env.EDM_TF_FLAGS) as Record<string, number | boolean>;
    tf.env().setFlags(flags);
    (result as unknown as { tfFlags: Record<string, number | boolean> }).tfFlags = flags;
    log(`tfjs flags: ${JSON.stringify(flags)}`);
  }
  log(`adapter: ${formatAdapter(adapter)}; isFallbackAdapter ${adapter.isFallbackAdapter}; node ${process.execPath}`);
} catch (e) {
  const reason = e instanceof WebGPUUnavailableError ? e.reason : 'error';
  log(`NO USABLE WEBGPU ADAPTER (${reason}): ${e instanceof Error ? e.message : String(e)}`);
  result.errors.push({ section: 'adapter', reason, message: String(e) });
  save();
  process.exit(reason === 'software-adapter' ? 4 : 3);
}
if (PROBE) {
  save();
  process.exit(0);
}

// ---- (a, b) Reference fixture: D_x, 5-step Heun and loss gradients on WebGPU; gradients vs the cpu backend ----
await section('parity', async () => {
  const bytes = dataFile('edm_ddpmpp.safetensors', 'test/fixtures/edm_ddpmpp.safetensors');
  const fixture = decodeSafetensors(bytes, 'edm_ddpmpp.safetensors').tensors;
  const get = (key: string): { values: Float32Array; shape: number[] } => {
    const t: SafetensorsTensor | undefined = fixture.get(key);
    if (!t) throw new Error(`edm_ddpmpp fixture: no tensor '${key}'`);
    const values = t.dtype === 'F64' ? Float32Array.from(new Float64Array(t.data.slice().buffer)) : tensorToFloat32(t, key);
    return { values, shape: t.shape };
  };
  const nhwc = (key: string) => tf.tidy(() => {
    const { values, shape } = get(key);
    return tf.transpose(tf.tensor(values, shape) as tf.Tensor, [0, 2, 3, 1]) as tf.Tensor4D;
  });
  const nchw = async (t: tf.Tensor) => {
    const u = tf.transpose(t, [0, 3, 1, 2]);
    const v = await u.data();
    u.dispose();
    return v;
  };
  const grads = new Map<string, Map<string, Float32Array>>();
  const out: Json = {};
  for (const backend of ['webgpu', 'cpu']) {
    await tf.setBackend(backend);
    const net = await loadNetwork(bytes, { source: 'edm_ddpmpp.safetensors' });
    const x = nhwc('fixture.x');
    const sigma = tf.tensor1d(get('fixture.sigma').values);
    const d = net.forward(x, sigma);
    const dx = compare(await nchw(d), get('fixture.D_x').values);
    const latents = nhwc('fixture.latents');
    const sample = await edmSampler(net, latents, { numSteps: 5 });
    const heun = compare(await nchw(sample), get('fixture.sample.heun').values);
    const images = nhwc('fixture.loss.images');
    const eps = nhwc('fixture.loss.eps');
    const rnd = tf.tensor(get('fixture.loss.rnd').values, [2, 1, 1, 1]);
    const loss = new EDMLoss({ PMean: -1.2, PStd: 1.2, sigmaData: 0.5 });
    const params = net.parameters();
    const g = tf.variableGrads(() => tf.sum(loss.call(net, images, { rnd, eps, training: false })) as tf.Scalar, [...params.values()]);
    const byName = new Map<string, Float32Array>();
    for (const [name, v] of params) byName.set(name, (await g.grads[v.name]!.data()) as Float32Array);
    grads.set(backend, byName);
    let gradVsRef = 0;
    for (const key of [...fixture.keys()].filter((k) => k.startsWith('fixture.grad.'))) {
      const oihw = tf.transpose(g.grads[params.get(key.slice('fixture.grad.'.length))!.name]!, [3, 2, 0, 1]);
      gradVsRef = Math.max(gradVsRef, compare(await oihw.data(), get(key).values).rel);
      oihw.dispose();
    }
    out[backend] = { dxMaxAbsErr: dx.maxAbs, dxRelErr: dx.rel, heun5MaxAbsErr: heun.maxAbs, heun5RelErr: heun.rel, gradVsRefRelErr: gradVsRef };
    log(`${backend}: D_x max abs err ${dx.maxAbs.toExponential(2)} (rel ${dx.rel.toExponential(2)}); 5-step Heun max abs err ` +
      `${heun.maxAbs.toExponential(2)}; 3 reference gradients, max rel err ${gradVsRef.toExponential(2)}`);
    tf.dispose([x, sigma, d, latents, sample, images, eps, rnd, g.value, g.grads]);
    net.dispose();
  }
  await tf.setBackend('webgpu');
  let worst = { name: '', rel: 0 };
  for (const [name, ref] of grads.get('cpu')!) {
    const rel = compare(grads.get('webgpu')!.get(name)!, ref).rel;
    if (rel > worst.rel) worst = { name, rel };
  }
  out.gradWebgpuVsCpu = { parameters: grads.get('cpu')!.size, worstRelErr: worst.rel, worstParameter: worst.name };
  log(`gradients webgpu vs cpu: ${grads.get('cpu')!.size} parameters, worst max abs err / max|g| ${worst.rel.toExponential(2)} (${worst.name})`);
  result.parity = out;
});

// ---- (c) Forward b1, b8 and a training step b8 (EDM loss, backward, Adam) of the bench configs -------------------
// Run as: QUICK tiny; else small, then sampling, then cifar10 last (the costliest, so a slow GPU loses only it).
async function timeConfig(name: string, limitS: number): Promise<void> {
  await section(`timing ${name}`, async () => {
    const deadline = now() + limitS * 1000;
    const row: Json = { config: name };
    timings.push(row);
    // cifar10 has ~30x the work of small: skip it when even its warm-ups cannot fit.
    const smallB8 = (timings.find((r) => r.config === 'small')?.forwardB8 as { ms?: number } | undefined)?.ms;
    if (name === 'cifar10' && (smallB8 === undefined || smallB8 * 30 > limitS * 1000 / 3)) {
      row.forwardB1 = `skipped: small forward b8 ${smallB8?.toFixed(0) ?? 'not measured'} ms`;
      log(`cifar10 skipped (small forward b8 ${smallB8?.toFixed(0) ?? 'not measured'} ms)`);
      return;
    }
    await tf.setBackend('webgpu');
    const net = createNetwork(CONFIGS[name]!.network, { seed: 0 });
    const vars = [...net.parameters().values()];
    row.params = vars.reduce((a, v) => a + v.size, 0);
    const res = net.imgResolution;
    const run = async (fn: () => Promise<void>, what: string) => {
      const t = await timed(fn, QUICK ? 1 : 5, deadline);
      row[what] = t;
      log(`${name} ${what}: ${t.ms.toFixed(1)} ms (median of ${t.runs}; warm-up ${t.warmUpMs.toFixed(0)} ms)`);
      return t;
    };
    const x1 = tf.randomNormal([1, res, res, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const x8 = tf.randomNormal([8, res, res, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const forward = (x: tf.Tensor4D) => async () => {
      const y = net.forward(x, 1.5);
      await y.data();
      y.dispose();
    };
    await run(forward(x1), 'forwardB1');
    const f8 = await run(forward(x8), 'forwardB8');
    // A training step costs about 3 forward passes: skip it when warm-up and one run cannot fit.
    if (now() + 8 * f8.ms > deadline) {
      row.trainB8 = 'skipped: forward b8 too slow for the time limit';
      log(`${name} train step b8 skipped (forward b8 ${f8.ms.toFixed(0)} ms)`);
    } else {
      const loss = new EDMLoss();
      const optimizer = tf.train.adam(2e-4);
      const images = tf.randomUniform([8, res, res, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
      await run(async () => {
        const cost = optimizer.minimize(() => tf.mean(loss.call(net, images)) as tf.Scalar, true, vars);
        await cost!.data();
        cost!.dispose();
      }, 'trainB8');
      optimizer.dispose();
      images.dispose();
    }
    tf.dispose([x1, x8]);
    net.dispose();
  });
}
await timeConfig(QUICK ? 'tiny' : 'small', QUICK ? 150 : 45);

// ---- Sampling time per image: shipped MNIST model, 18-step Heun (35 NFE); b4 output vs the cpu backend --------
// QUICK (SwiftShader on a small CPU): 3 steps (5 NFE), batches 1 and 2.
await section('sampling', async () => {
  await tf.setBackend('webgpu');
  const bytes = dataFile('mnist-cond.safetensors', 'packages/cli/models/mnist-cond.safetensors');
  const net = await loadNetwork(bytes, { source: 'mnist-cond.safetensors' });
  const inputs = (n: number) => ({
    latents: tf.randomNormal([n, net.imgResolution, net.imgResolution, net.imgChannels], 0, 1, 'float32', 7) as tf.Tensor4D,
    classLabels: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % net.labelDim), 'int32'), net.labelDim).toFloat() as tf.Tensor2D,
  });
  const sample = async (m: Network, n: number) => {
    const { latents, classLabels } = inputs(n);
    const s = await edmSampler(m, latents, { numSteps: STEPS, classLabels });
    const v = await s.data();
    tf.dispose([latents, classLabels, s]);
    return v;
  };
  for (const batch of QUICK ? [1, 2] : process.env.SAMPLE_BATCHES ? process.env.SAMPLE_BATCHES.split(',').map(Number) : [1, 64, 512]) {
    const t = await timed(async () => void (await sample(net, batch)), QUICK ? 1 : 5, now() + 40 * 1000);
    sampling.push({ batch, nfe: 2 * STEPS - 1, msPerBatch: t.ms, msPerImage: t.ms / batch, runs: t.runs, warmUpMs: t.warmUpMs });
    log(`sampling b${batch}: ${t.ms.toFixed(1)} ms per batch, ${(t.ms / batch).toFixed(2)} ms per image (median of ${t.runs})`);
  }
  const gpu = await sample(net, QUICK ? 2 : 4);
  net.dispose();
  await tf.setBackend('cpu');
  const cpuNet = await loadNetwork(bytes, { source: 'mnist-cond.safetensors' });
  const c = compare(gpu, await sample(cpuNet, QUICK ? 2 : 4));
  cpuNet.dispose();
  await tf.setBackend('webgpu');
  result.samplingVsCpu = { batch: QUICK ? 2 : 4, steps: STEPS, maxAbsErr: c.maxAbs, relErr: c.rel };
  log(`sampling b${QUICK ? 2 : 4} (${STEPS} steps) webgpu vs cpu: max abs err ${c.maxAbs.toExponential(2)} (rel ${c.rel.toExponential(2)})`);
});

if (!QUICK) await timeConfig('cifar10', 100);

// ---- (d) Our fused WGSL kernels (GroupNorm + SiLU, Adam, upsampling) on and off, alternating in this one run ------
// Off = unregistered, so @edm/core composes tfjs ops as before they existed. CIFAR-10 DDPM++ (QUICK: tiny): forward
// b1/b8/b64 and `edm train`'s step (leanVariableGrads + @edm/core's Adam) at b8/b64, and the dispatches of a forward
// b1 and a step b8 each way.
await section('fused kernels on/off', async () => {
  await tf.setBackend('webgpu');
  const name = QUICK ? 'tiny' : 'cifar10';
  const deadline = now() + (QUICK ? 200 : 150) * 1000;
  const fused = (on: boolean) => {
    for (const [kernelName, kernelFunc] of Object.entries(WEBGPU_KERNELS)) {
      if (tf.getKernel(kernelName, 'webgpu')) tf.unregisterKernel(kernelName, 'webgpu');
      if (on) tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
    }
  };
  const gpu = tf.backend() as unknown as { recordAndSubmit: (...a: unknown[]) => unknown };
  const record = gpu.recordAndSubmit;
  let dispatches = 0;
  gpu.recordAndSubmit = (...a: unknown[]) => { dispatches++; return record.apply(gpu, a); };
  const net = createNetwork(CONFIGS[name]!.network, { seed: 0 });
  const params = net.parameters();
  const vars = [...params.values()];
  const res = net.imgResolution;
  const loss = new EDMLoss();
  const rows: Json[] = [];
  result.fusedOnOff = { config: name, rows };
  const forward = (b: number) => {
    const x = tf.randomNormal([b, res, res, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    return { fn: async () => { const y = net.forward(x, 1.5); await y.data(); y.dispose(); }, done: () => x.dispose() };
  };
  const trainStep = (b: number) => {
    const images = tf.randomUniform([b, res, res, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const adam = new Adam(params);
    return {
      fn: async () => {
        const { value, grads } = leanVariableGrads(() => tf.mean(loss.call(net, images)) as tf.Scalar, vars);
        const byName: tf.NamedTensorMap = {};
        for (const [pn, v] of params) byName[pn] = grads[v.name]!;
        adam.apply(byName, 2e-4);
        await value.data();
        tf.dispose([value, ...Object.values(grads)]);
      },
      done: () => { images.dispose(); adam.dispose(); },
    };
  };
  const cases: [string, () => { fn: () => Promise<void>; done: () => void }][] = [
    ['forwardB1', () => forward(1)], ['forwardB8', () => forward(8)], ['forwardB64', () => forward(QUICK ? 16 : 64)],
    ['trainB8', () => trainStep(QUICK ? 2 : 8)], ['trainB64', () => trainStep(QUICK ? 4 : 64)],
  ];
  try {
    for (const [what, make] of cases) {
      if (now() > deadline) { rows.push({ what, skipped: 'time limit' }); continue; }
      const row: Json = { what };
      rows.push(row);
      const c = make();
      for (const on of [true, false]) {
        fused(on);
        dispatches = 0;
        await c.fn(); // warm-up (pipelines compiled); its dispatches counted
        row[on ? 'dispatchesOn' : 'dispatchesOff'] = dispatches;
      }
      const ms: Record<string, number[]> = { on: [], off: [] };
      for (let i = 0; i < (QUICK ? 1 : 3) && now() < deadline; i++) {
        for (const on of i % 2 ? [false, true] : [true, false]) {
          fused(on);
          const t = now();
          await c.fn();
          ms[on ? 'on' : 'off']!.push(now() - t);
        }
      }
      row.msOn = ms.on!.length ? median(ms.on!) : null;
      row.msOff = ms.off!.length ? median(ms.off!) : null;
      log(`${name} ${what}: fused ${f1(row.msOn)} ms (${row.dispatchesOn} dispatches), composed ${f1(row.msOff)} ms (${row.dispatchesOff})`);
      c.done();
    }
  } finally {
    fused(true);
    gpu.recordAndSubmit = record;
    net.dispose();
  }
});

// ---- Report ------------------------------------------------------------------------------------------------------
clearTimeout(watchdog);
save();
report();
process.exit(result.errors.length ? 1 : 0);

function report(): void {
  const f = (v: unknown) => (typeof v !== 'number' ? String(v ?? 'n/a') : Number.isInteger(v) ? String(v)
    : Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toFixed(2));
  const ms = (v: unknown) => (typeof v === 'object' && v ? `${f((v as { ms: number }).ms)} ms (n=${(v as { runs: number }).runs})` : f(v));
  const a = result.adapter as Json | undefined;
  const lines = [`\n## WebGPU in Node (Dawn) check: ${a ? formatAdapter(a as never) : 'no adapter'}`,
    `node ${process.version} (${process.execPath}); total ${result.totalSeconds} s; JSON: ${join(OUT, 'gpu-check.json')}`,
    '', '| check | backend | max abs err | rel err |', '| --- | --- | --- | --- |'];
  const p = result.parity as Record<string, Json> | undefined;
  for (const b of ['webgpu', 'cpu']) {
    if (!p?.[b]) continue;
    lines.push(`| D_x vs NVlabs | ${b} | ${f(p[b].dxMaxAbsErr)} | ${f(p[b].dxRelErr)} |`, `| 5-step Heun vs NVlabs | ${b} | ${f(p[b].heun5MaxAbsErr)} | ${f(p[b].heun5RelErr)} |`,
      `| 3 loss gradients vs NVlabs | ${b} | | ${f(p[b].gradVsRefRelErr)} |`);
  }
  if (p?.gradWebgpuVsCpu) lines.push(`| all ${p.gradWebgpuVsCpu.parameters} gradients vs cpu (worst: ${p.gradWebgpuVsCpu.worstParameter}) | webgpu | | ${f(p.gradWebgpuVsCpu.worstRelErr)} |`);
  const sv = result.samplingVsCpu as Json | undefined;
  if (sv) lines.push(`| MNIST ${sv.steps}-step Heun b${sv.batch} vs cpu | webgpu | ${f(sv.maxAbsErr)} | ${f(sv.relErr)} |`);
  lines.push('', '| config | params | forward b1 | forward b8 | train step b8 |', '| --- | --- | --- | --- | --- |');
  for (const r of timings) lines.push(`| ${r.config} | ${f(r.params)} | ${ms(r.forwardB1)} | ${ms(r.forwardB8)} | ${ms(r.trainB8)} |`);
  lines.push('', `| MNIST sampling (${2 * STEPS - 1} NFE) batch | ms per batch | ms per image | runs |`, '| --- | --- | --- | --- |');
  for (const s of sampling) lines.push(`| ${s.batch} | ${f(s.msPerBatch)} | ${f(s.msPerImage)} | ${s.runs} |`);
  const fo = result.fusedOnOff as { config: string; rows: Json[] } | undefined;
  if (fo) {
    lines.push('', `| ${fo.config}: fused WGSL kernels | on: ms | on: dispatches | off: ms | off: dispatches |`, '| --- | --- | --- | --- | --- |');
    for (const r of fo.rows) lines.push(`| ${r.what} | ${f(r.msOn)} | ${f(r.dispatchesOn)} | ${f(r.msOff)} | ${f(r.dispatchesOff)} |`);
  }
  lines.push('(n = timed runs after the warm-up; n=0: the warm-up alone, the time limit left no run)');
  for (const e of result.errors) lines.push(`\nFAILED ${e.section}: ${e.message}`);
  console.log(lines.join('\n'));
}
