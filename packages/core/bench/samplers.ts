// Sampler-accuracy benchmark (npx tsx packages/core/bench/samplers.ts; cpu backend, one thread).
// With an exact denoiser (Gaussian mixtures: the posterior mean in closed form) sampling error is measurable:
//   - ODE error: RMSE per coordinate of the final samples against a reference solution of the same
//     probability-flow ODE from the same latents (Heun, Karras rho 7, 1000 steps = 1999 NFE), for the
//     deterministic samplers;
//   - distribution distance, for all samplers: MMD^2 to the exact mixture (Gaussian kernel, closed-form data
//     terms, unbiased) and sliced Wasserstein-2 against fresh data samples.
// Prints a table, draws docs/sampler-accuracy.png (log-log) and writes docs/samplers.md.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Denoiser } from '../src/denoiser';
import { K_SAMPLERS, sampleDpmAdaptive, type KSamplerName, type KSamplerOptions } from '../src/samplers/kdiffusion';
import type { Sampler } from '../src/samplers/types';
import { mmd2ToMixture, rmse, slicedWasserstein } from './distance';
import { latentsFor, mixture64d, mixtureDenoiser, ring2d, sampleMixture, type GaussianMixture } from './mixture';
import { renderPanels, type Panel } from './plot';
import { writeReport, type BenchResult, type DatasetResult } from './report';

const NFES = [5, 10, 20, 35, 50, 100];
const REF_STEPS = 1000;

/** A benchmarked sampler configuration. */
export interface Config {
  label: string;
  sampler: KSamplerName;
  options: KSamplerOptions & Record<string, unknown>;
  /** Denoiser evaluations per step (2 for the two-stage methods; their last step to 0 takes 1). */
  evals: 1 | 2;
  /** Deterministic (probability-flow ODE): compared with the reference. */
  ode: boolean;
  color: readonly [number, number, number];
}

export const CONFIGS: Config[] = [
  { label: 'Euler', sampler: 'euler', options: {}, evals: 1, ode: true, color: [230, 159, 0] },
  { label: 'Heun rho 1', sampler: 'heun', options: { rho: 1 }, evals: 2, ode: true, color: [180, 180, 255] },
  { label: 'Heun rho 3', sampler: 'heun', options: { rho: 3 }, evals: 2, ode: true, color: [90, 110, 230] },
  { label: 'Heun/EDM rho 7', sampler: 'heun', options: { rho: 7 }, evals: 2, ode: true, color: [0, 40, 160] },
  { label: 'DPM2', sampler: 'dpm_2', options: {}, evals: 2, ode: true, color: [0, 158, 115] },
  { label: 'LMS', sampler: 'lms', options: {}, evals: 1, ode: true, color: [204, 121, 167] },
  { label: 'DPM++ 2M', sampler: 'dpmpp_2m', options: {}, evals: 1, ode: true, color: [213, 94, 0] },
  { label: 'DPM++ 3M', sampler: 'dpmpp_3m_sde', options: { eta: 0 }, evals: 1, ode: true, color: [120, 60, 20] },
  { label: '3M taylor', sampler: 'dpmpp_3m_sde', options: { eta: 0, variant: 'taylor' }, evals: 1, ode: true, color: [200, 30, 30] },
  { label: 'Euler a', sampler: 'euler_ancestral', options: {}, evals: 1, ode: false, color: [230, 159, 0] },
  { label: 'DPM2 a', sampler: 'dpm_2_ancestral', options: {}, evals: 2, ode: false, color: [0, 158, 115] },
  { label: 'DPM++ 2S a', sampler: 'dpmpp_2s_ancestral', options: {}, evals: 2, ode: false, color: [86, 180, 233] },
  { label: 'DPM++ SDE', sampler: 'dpmpp_sde', options: {}, evals: 2, ode: false, color: [0, 114, 178] },
  { label: 'DPM++ 2M SDE', sampler: 'dpmpp_2m_sde', options: {}, evals: 1, ode: false, color: [213, 94, 0] },
  { label: 'DPM++ 3M SDE', sampler: 'dpmpp_3m_sde', options: {}, evals: 1, ode: false, color: [200, 30, 30] },
];
const ADAPTIVE_RTOL = [0.2, 0.1, 0.05, 0.02, 0.01, 0.005];

/** Steps giving at most the target NFE: n for one evaluation per step, (nfe + 1) / 2 for two (2n - 1 NFE). */
const stepsFor = (c: Config, nfe: number) => (c.evals === 1 ? nfe : Math.max(1, Math.floor((nfe + 1) / 2)));

function countingDenoiser(net: Denoiser): Denoiser & { nfe: number } {
  const wrapped = { ...net, nfe: 0, forward: (...a: Parameters<Denoiser['forward']>) => { wrapped.nfe++; return net.forward(...a); } };
  return wrapped;
}

async function benchDataset(name: string, mix: GaussianMixture, n: number, log: (s: string) => void): Promise<DatasetResult> {
  const t0 = performance.now();
  const net = countingDenoiser(mixtureDenoiser(mix));
  const dim = mix.shape.resolution ** 2 * mix.shape.channels;
  const ell = 2 * Math.sqrt(dim) * mix.std;
  const mmd2 = (x: Float32Array) => mmd2ToMixture(x, dim, mix.means, mix.weights, mix.std, ell);
  const latents = latentsFor(mix.shape, n, 1);
  const fresh = sampleMixture(mix, n, 101);
  const freshData = fresh.dataSync() as Float32Array;
  const sw = (x: Float32Array) => slicedWasserstein(x, freshData, dim);
  // Noise floors: exact samples (other seeds) measured the same way.
  const floorMmd: number[] = [];
  const floorSw: number[] = [];
  for (const seed of [102, 103, 104]) {
    const d = sampleMixture(mix, n, seed);
    const v = d.dataSync() as Float32Array;
    floorMmd.push(Math.abs(mmd2(v)));
    floorSw.push(sw(v));
    d.dispose();
  }
  const ref = await K_SAMPLERS.heun(net, latents, { numSteps: REF_STEPS });
  const refData = ref.dataSync() as Float32Array;
  // Reference accuracy (Richardson, order 2): err(ref) ~ |x(REF/4) - x(REF)| / (4^2 - 1).
  const coarse = await K_SAMPLERS.heun(net, latents, { numSteps: REF_STEPS / 4 });
  const refCheck = rmse(coarse.dataSync() as Float32Array, refData) / 15;
  coarse.dispose();
  log(`${name}: reference Heun ${REF_STEPS} steps, estimated error ${refCheck.toExponential(2)} RMSE ` +
    `(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const rows: BenchResult[] = [];
  const record = (label: string, x: tf.Tensor4D, nfe: number, ode: boolean) => {
    const v = x.dataSync() as Float32Array;
    const row: BenchResult = { label, nfe, odeError: ode ? rmse(v, refData) : null, mmd2: mmd2(v), sw: sw(v) };
    rows.push(row);
    log(`  ${label.padEnd(16)} NFE ${String(nfe).padStart(3)}  ODE err ${row.odeError === null ? '      -  ' : row.odeError.toExponential(2)}` +
      `  MMD^2 ${row.mmd2.toExponential(2)}  SW ${row.sw.toFixed(4)}`);
  };
  for (const c of CONFIGS) {
    for (const target of NFES) {
      net.nfe = 0;
      const x = await (K_SAMPLERS[c.sampler] as Sampler<KSamplerOptions>)(net, latents, { ...c.options, numSteps: stepsFor(c, target) });
      record(c.label, x, net.nfe, c.ode);
      x.dispose();
    }
  }
  for (const rtol of ADAPTIVE_RTOL) {
    const { x, info } = await sampleDpmAdaptive(net, latents, { rtol, atol: rtol / 10 });
    record('DPM adaptive', x, info.nfe, true);
    x.dispose();
  }
  tf.dispose([latents, fresh, ref]);
  return {
    name, n, dim, ell, rows, refCheck,
    floorMmd2: floorMmd.reduce((a, b) => a + b, 0) / floorMmd.length,
    floorSw: floorSw.reduce((a, b) => a + b, 0) / floorSw.length,
    seconds: (performance.now() - t0) / 1000,
  };
}

function panels(results: DatasetResult[]): Panel[] {
  const out: Panel[] = [];
  const adaptiveColor = [0, 0, 0] as const;
  for (const r of results) {
    const series = CONFIGS.filter((c) => c.ode).map((c) => ({
      name: c.label, color: c.color,
      points: r.rows.filter((row) => row.label === c.label).map((row) => [row.nfe, row.odeError!] as [number, number]),
    }));
    series.push({ name: 'DPM adaptive', color: adaptiveColor,
      points: r.rows.filter((row) => row.label === 'DPM adaptive').map((row) => [row.nfe, row.odeError!] as [number, number]).sort((a, b) => a[0] - b[0]) });
    out.push({ title: `${r.name}: ODE error vs Heun ${REF_STEPS}`, xLabel: 'NFE', yLabel: 'RMSE', series, xTicks: NFES });
  }
  for (const r of results) {
    const series = CONFIGS.filter((c) => !c.ode || c.label === 'Heun/EDM rho 7' || c.label === 'DPM++ 2M').map((c) => ({
      name: c.label, color: c.color, dashed: !c.ode,
      points: r.rows.filter((row) => row.label === c.label).map((row) => [row.nfe, Math.max(row.mmd2, r.floorMmd2)] as [number, number]),
    }));
    out.push({ title: `${r.name}: MMD^2 to the exact mixture`, xLabel: 'NFE', yLabel: 'MMD^2', series, xTicks: NFES,
      floor: { y: r.floorMmd2, label: 'noise floor (exact samples)' } });
  }
  return out;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const here = dirname(fileURLToPath(import.meta.url));
  const docs = join(here, '..', '..', '..', 'docs');
  mkdirSync(docs, { recursive: true });
  const log = (s: string) => console.log(s);
  const t0 = performance.now();
  const results = [
    await benchDataset('2-D ring (8 comp.)', ring2d(), 2000, log),
    await benchDataset('64-D mixture (8 comp.)', mixture64d(), 1000, log),
  ];
  const png = renderPanels(panels(results), 2);
  const pngPath = join(docs, 'sampler-accuracy.png');
  writeFileSync(`${pngPath}.tmp`, png);
  renameSync(`${pngPath}.tmp`, pngPath);
  const md = writeReport(results, CONFIGS, NFES, REF_STEPS, (performance.now() - t0) / 1000);
  const mdPath = join(docs, 'samplers.md');
  writeFileSync(`${mdPath}.tmp`, md.markdown);
  renameSync(`${mdPath}.tmp`, mdPath);
  console.log('\n' + md.table);
  console.log('\n' + md.findings.join('\n'));
  console.log(`\nwrote ${pngPath} and ${mdPath} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

await main();
