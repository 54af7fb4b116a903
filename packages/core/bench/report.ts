// Tables and findings of the sampler-accuracy benchmark, as markdown (docs/samplers.md) and console text.
import { samplerTableMarkdown } from './sampler-docs';
import type { Config } from './samplers';

/** One measured (sampler, NFE) point. */
export interface BenchResult {
  label: string;
  /** Denoiser evaluations actually used. */
  nfe: number;
  /** RMSE per coordinate against the reference ODE solution (deterministic samplers), else null. */
  odeError: number | null;
  /** Unbiased MMD^2 to the exact mixture. */
  mmd2: number;
  /** Sliced Wasserstein-2 against fresh data. */
  sw: number;
}

/** All results of one data set. */
export interface DatasetResult {
  name: string;
  n: number;
  dim: number;
  ell: number;
  rows: BenchResult[];
  refCheck: number;
  floorMmd2: number;
  floorSw: number;
  seconds: number;
}

const e2 = (v: number) => v.toExponential(1);

function table(r: DatasetResult, labels: string[], nfes: number[], cell: (row: BenchResult) => string): string {
  const head = `| sampler | ${nfes.map((n) => `NFE ${n}`).join(' | ')} |\n|---|${nfes.map(() => '---:').join('|')}|`;
  const body = labels.map((label) => {
    const rows = r.rows.filter((row) => row.label === label);
    return `| ${label} | ${rows.map((row) => `${cell(row)}${row.nfe !== nfes[rows.indexOf(row)] ? ` (${row.nfe})` : ''}`).join(' | ')} |`;
  });
  return [head, ...body].join('\n');
}

function adaptiveTable(r: DatasetResult): string {
  const rows = r.rows.filter((row) => row.label === 'DPM adaptive');
  return `| rtol (atol = rtol/10) | NFE | ODE error | MMD^2 | SW |\n|---:|---:|---:|---:|---:|\n` +
    rows.map((row, i) => `| ${[0.2, 0.1, 0.05, 0.02, 0.01, 0.005][i]} | ${row.nfe} | ${e2(row.odeError!)} | ${e2(row.mmd2)} | ${row.sw.toFixed(4)} |`).join('\n');
}

const at = (r: DatasetResult, label: string) => r.rows.filter((row) => row.label === label);

/** The report: markdown document, console table, findings. */
export function writeReport(results: DatasetResult[], configs: Config[], nfes: number[], refSteps: number, seconds: number):
  { markdown: string; table: string; findings: string[] } {
  const ode = configs.filter((c) => c.ode).map((c) => c.label);
  const all = configs.map((c) => c.label);
  const findings: string[] = [];
  for (const r of results) {
    const euler = at(r, 'Euler');
    const heun7 = at(r, 'Heun/EDM rho 7');
    const wins = heun7.filter((h, i) => h.odeError! < euler[i]!.odeError!);
    const winAt = nfes.filter((_, i) => heun7[i]!.odeError! < euler[i]!.odeError!);
    findings.push(`- ${r.name}: Heun/EDM rho 7 beats Euler at equal NFE (ODE error) at ${wins.length} of ${nfes.length} ` +
      `NFE budgets${winAt.length ? ` (NFE ${winAt.join(', ')}; Heun has only (NFE + 1) / 2 steps, too few below that)` : ''} (${nfes.map((n, i) => `${n}: ${e2(heun7[i]!.odeError!)} vs ${e2(euler[i]!.odeError!)}`).join(', ')}).`);
    const h1 = at(r, 'Heun rho 1');
    const h3 = at(r, 'Heun rho 3');
    const beat1 = heun7.filter((h, i) => h.odeError! < h1[i]!.odeError!).length;
    const beat3 = heun7.filter((h, i) => h.odeError! < h3[i]!.odeError!).length;
    findings.push(`- ${r.name}: rho 7 beats rho 1 at ${beat1}/${nfes.length} and rho 3 at ${beat3}/${nfes.length} budgets ` +
      `(NFE 35: rho 1 ${e2(h1[3]!.odeError!)}, rho 3 ${e2(h3[3]!.odeError!)}, rho 7 ${e2(heun7[3]!.odeError!)}).`);
    const ranks = nfes.map((_, i) => {
      const sorted = ode.map((l) => ({ l, e: at(r, l)[i]!.odeError! })).sort((a, b) => a.e - b.e);
      return 1 + sorted.findIndex((s) => s.l === 'DPM++ 2M');
    });
    const best = nfes.map((_, i) => ode.map((l) => ({ l, e: at(r, l)[i]!.odeError! })).sort((a, b) => a.e - b.e)[0]!.l);
    findings.push(`- ${r.name}: DPM++ 2M ranks ${ranks.join(', ')} of ${ode.length} deterministic samplers at NFE ` +
      `${nfes.join(', ')} (best: ${best.join(', ')}).`);
    const t = at(r, '3M taylor');
    const k = at(r, 'DPM++ 3M');
    findings.push(`- ${r.name}: DPM++ 3M with the exact Taylor coefficient vs k-diffusion's at NFE ${nfes.slice(2).join(', ')}: ` +
      `${nfes.slice(2).map((_, j) => `${e2(t[j + 2]!.odeError!)} vs ${e2(k[j + 2]!.odeError!)}`).join(', ')}.`);
    const sde = configs.filter((c) => !c.ode).map((c) => c.label);
    const bestSde = [1, 3, 5].map((i) => {
      const s = sde.map((l) => ({ l, m: at(r, l)[i]!.mmd2 })).sort((a, b) => a.m - b.m)[0]!;
      return `NFE ${nfes[i]}: ${s.l} (${e2(s.m)})`;
    });
    findings.push(`- ${r.name}: lowest MMD^2 among the stochastic samplers: ${bestSde.join('; ')}; noise floor ${e2(r.floorMmd2)}.`);
  }

  const sections = results.map((r) => [
    `### ${r.name} (${r.n} samples, dimension ${r.dim}; ${r.seconds.toFixed(0)} s)`,
    '',
    `Reference: Heun (Karras rho 7) with ${refSteps} steps (${2 * refSteps - 1} NFE); its own error, estimated by Richardson ` +
    `extrapolation from ${refSteps / 4} steps (|x_${refSteps / 4} - x_${refSteps}| / 15), is ${e2(r.refCheck)} RMSE: errors ` +
    'within a few times that are at the reference\'s resolution (and float32\'s).',
    '',
    '**ODE error** (RMSE per coordinate vs the reference, same latents). Two-evaluation methods take n = (NFE + 1) / 2 ' +
    'steps and use 2n - 1 evaluations (actual NFE in parentheses where it differs).',
    '',
    table(r, ode, nfes, (row) => e2(row.odeError!)),
    '',
    `**MMD^2 to the exact mixture** (Gaussian kernel l = ${r.ell.toFixed(3)}; exact samples give |MMD^2| ~ ${e2(r.floorMmd2)}).`,
    '',
    table(r, all, nfes, (row) => e2(row.mmd2)),
    '',
    `**Sliced Wasserstein-2 vs fresh data** (128 projections; exact samples give ${r.floorSw.toFixed(4)}).`,
    '',
    table(r, all, nfes, (row) => row.sw.toFixed(4)),
    '',
    '**Adaptive DPM-Solver-23** (error-controlled; NFE chosen by the tolerances):',
    '',
    adaptiveTable(r),
  ].join('\n'));

  const consoleTable = results.map((r) => `${r.name}\n${table(r, ode, nfes, (row) => e2(row.odeError!))}\n\nMMD^2:\n` +
    `${table(r, all, nfes, (row) => e2(row.mmd2))}\n\nadaptive:\n${adaptiveTable(r)}`).join('\n\n');

  const markdown = `# Samplers and their accuracy

Generated by \`npx tsx packages/core/bench/samplers.ts\` (cpu backend, ${seconds.toFixed(0)} s). Do not edit the
numbers by hand; rerun the benchmark.

## The samplers

All share one signature, \`sampler(net, latents, options)\` (latents standard normal, scaled by the first noise
level inside), with \`sigmas\` (for example \`karras(n, sigmaMin, sigmaMax, rho)\`, \`exponential\`,
\`polyexponential\`, \`vp\`) or the default Karras schedule (\`numSteps\` 18, sigma 0.002 .. 80, rho 7), and
\`classLabels\`, \`randnLike\`, \`seeds\`, \`onStep\`, \`signal\`.

| function | k-diffusion | evaluations per step | noise |
|---|---|---|---|
| \`eulerSampler\` | sample_euler | 1 | churn (sChurn, sMin, sMax, sNoise) |
| \`eulerAncestralSampler\` | sample_euler_ancestral | 1 | ancestral (eta, sNoise) |
| \`heunSampler\` | sample_heun | 2 (1 on the step to 0) | churn |
| \`dpm2Sampler\` | sample_dpm_2 | 2 (1 on the step to 0) | churn |
| \`dpm2AncestralSampler\` | sample_dpm_2_ancestral | 2 (1 on the last step) | ancestral |
| \`lmsSampler\` | sample_lms (order 4) | 1 | - |
| \`dpmpp2sAncestralSampler\` | sample_dpmpp_2s_ancestral | 2 (1 on the last step) | ancestral |
| \`dpmppSdeSampler\` | sample_dpmpp_sde | 2 (1 on the step to 0) | SDE, two draws per step |
| \`dpmpp2mSampler\` | sample_dpmpp_2m | 1 | - |
| \`dpmpp2mSdeSampler\` | sample_dpmpp_2m_sde (midpoint / heun) | 1 | SDE (eta) |
| \`dpmpp3mSdeSampler\` | sample_dpmpp_3m_sde | 1 | SDE (eta; eta = 0 is DPM-Solver++(3M)) |
| \`dpmAdaptiveSampler\`, \`sampleDpmAdaptive\` | sample_dpm_adaptive (order 2/3, rtol, atol, PID) | 2 or 3 per attempt, + 1 to reach 0 | ancestral (eta) |

Guidance: \`classifierFreeGuidance(net, { weight })\` (one batched forward pass of conditional and null labels)
and \`autoguidance(main, guide, { weight })\` return Denoisers, so they work with every sampler.

${samplerTableMarkdown()}

Notes.
- **Noise.** Every draw goes through \`options.randnLike\` (default: the per-sample seeded generator of
  \`@edm/core\`, seeds 0..N-1 or \`options.seeds\`), so seeds reproduce on any backend and batch. k-diffusion's
  SDE samplers draw from a Brownian tree by default; here they draw standard normals through \`randnLike\`. For
  DPM++ 2M/3M SDE the increments of one step are over disjoint intervals, so independent normals have exactly
  the tree's law; DPM++ SDE needs two correlated increments per step and builds them from two draws with the
  tree's covariance. What is lost is only the tree's property that one seed gives the same Brownian path at
  any step count. A user's \`randnLike\` is called where k-diffusion calls its noise sampler, so recorded draws
  line up; the default source skips draws that would be multiplied by 0.
- **The final step to sigma = 0.** Schedules end at sigma_min and append exactly one 0. Every sampler takes
  the last interval as its exact limit x = D(x; sigma_min) (no log 0, no division by 0), whose distance to the
  ODE's endpoint is O(sigma_min^2), whatever the interval's length; that interval can be longer than the one
  before it (Karras rho 7 beyond about 35 steps, log-uniform schedules beyond about 16), which is harmless here.
- **DPM-Solver++(3M).** k-diffusion's (and DPM-Solver's multistep) update weights the second divided difference
  d2 = h^2 D''/2 by -phi_3, half the Taylor coefficient -2 phi_3; the error then falls as h^2, not h^3
  (packages/core/test/kdiffusion-order.test.ts). \`variant: 'kdiffusion'\` (default) keeps k-diffusion's
  numbers; \`variant: 'taylor'\` is third order. Both are in the tables below.

## Accuracy with an exact denoiser

Data: Gaussian mixtures whose ideal denoiser (the posterior mean) is known in closed form, so the only error
is the sampler's. Same latents for every sampler.

![sampler accuracy](sampler-accuracy.png)

### Findings

${findings.join('\n')}

${sections.join('\n\n')}
`;
  return { markdown, table: consoleTable, findings };
}
