// edm phema: post-hoc EMA reconstruction (Karras et al. 2024, Section 3; NVlabs/edm2 reconstruct_phema.py).
// An EDM2 run (`edm train --arch edm2`) saves snapshots of power-function EMAs of a few lengths
// (network-snapshot-NNNNNN-S.SSS.safetensors, each with `edm.phema` {std, nimg, run}); any other EMA length at
// any snapshot time is a least-squares combination of them (@edm/core solvePosthocCoefficients). The snapshots
// are read one at a time and summed with their coefficients into one network: one streaming pass, memory for
// two networks. Nothing is written unless the reconstruction succeeds.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PHEMA_MAX_STD, solvePosthocCoefficients } from '@edm/core';
import { createNetwork, saveNetwork, type Network, type NetworkConfig } from '@edm/models';
import { defineCommand } from '../command/define';
import { CliError, UsageError, errorMessage } from '../command/errors';
import { float, str } from '../command/options';
import { writeFileAtomic } from '../io/atomic';
import { checkOutputFile } from '../io/output-check';
import { Progress } from '../io/progress';
import { backendOption, setupBackend } from '../net/backend';
import { loadCheckpoint, readCheckpointHeader } from '../net/checkpoint';
import { PHEMA_METADATA, type PhemaSnapshotInfo } from '../train/edm2-recipe';

/** Metadata key of a reconstruction: JSON {std, nimg, run, snapshots}. */
export const PHEMA_RECONSTRUCTION_METADATA = 'edm.phema_reconstruction';

const SNAPSHOT_RE = /^network-snapshot-(\d+)-(\d+\.\d+)\.safetensors$/;

/** One power-function EMA snapshot of a run. */
interface Snapshot extends PhemaSnapshotInfo {
  file: string;
  network: string;
}

/** The run's snapshots, checked: each has its edm.phema metadata, all of one run and one network. */
function listSnapshots(runDir: string): Snapshot[] {
  let names: string[];
  try {
    if (!statSync(runDir).isDirectory()) throw new CliError(`--run ${runDir}: not a folder (expected an edm train --arch edm2 run folder)`);
    names = readdirSync(runDir);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`--run ${runDir}: cannot read the folder (${errorMessage(e)})`);
  }
  const files = names.filter((n) => SNAPSHOT_RE.test(n)).sort();
  if (files.length === 0) {
    throw new CliError(`--run ${runDir}: no power-function EMA snapshots (network-snapshot-NNNNNN-S.SSS.safetensors); ` +
      'they are written by edm train --arch edm2');
  }
  const out: Snapshot[] = [];
  for (const name of files) {
    const file = join(runDir, name);
    const header = readCheckpointHeader(file);
    const raw = header.metadata[PHEMA_METADATA];
    let info: PhemaSnapshotInfo;
    try {
      info = JSON.parse(raw ?? 'null') as PhemaSnapshotInfo;
      if (!info || typeof info.std !== 'number' || typeof info.nimg !== 'number' || typeof info.run !== 'string') throw new Error('incomplete');
    } catch {
      throw new CliError(`${file}: no valid '${PHEMA_METADATA}' metadata {std, nimg, run} (not a power-function EMA snapshot of edm train --arch edm2)`);
    }
    if (!(info.nimg > 0)) throw new CliError(`${file}: '${PHEMA_METADATA}' nimg must be > 0, got ${info.nimg}`);
    out.push({ ...info, file, network: JSON.stringify(JSON.parse(header.metadata['edm.network']!)) });
  }
  const first = out[0]!;
  for (const s of out) {
    if (s.run !== first.run) {
      throw new CliError(`snapshots of different runs: ${first.file} is of run ${first.run}, ${s.file} of run ${s.run}; ` +
        'reconstruct from one run\'s snapshots only');
    }
    if (s.network !== first.network) throw new CliError(`snapshots of different networks: ${first.file} and ${s.file}`);
  }
  return out;
}

export default defineCommand({
  name: 'phema',
  summary: "Post-hoc EMA: reconstruct any EMA length from an EDM2 run's power-function EMA snapshots.",
  description: `Examples:
  edm phema --run runs/00001-mnist-cond-edm2-edm-batch16 --std 0.07 --out ema-0.070.safetensors
  edm phema --run RUN --std 0.15 --at 40 --out ema-0.150-kimg40.safetensors      (at the kimg-40 snapshots)
The run's network-snapshot-NNNNNN-S.SSS.safetensors (EMA lengths S, written by edm train --arch edm2 every
--snap ticks) are combined by least squares over their EMA profiles (Karras et al. 2024, Algorithm 3) into a
network with EMA length --std (sigma_rel, in (0, 0.289)) at the time of the latest snapshots or --at KIMG.
The snapshots are read one at a time.`,
  options: {
    run: str({ help: 'The EDM2 run folder holding the EMA snapshots', metavar: 'DIR', required: true }),
    std: float({ help: 'EMA length sigma_rel to reconstruct', min: 0, exclusiveMin: true, max: PHEMA_MAX_STD, exclusiveMax: true, required: true }),
    at: float({ help: 'Reconstruct at the snapshots of this kimg (their file names)', min: 0, max: 1e9, showDefault: 'the latest' }),
    out: str({ help: 'Output checkpoint (.safetensors)', metavar: 'FILE', required: true }),
    backend: backendOption(),
  },
  async run({ options: o }, ctx) {
    if (!(o.std > 0 && o.std < PHEMA_MAX_STD)) throw new UsageError(`--std must be in (0, ${PHEMA_MAX_STD}), got ${o.std}`);
    checkOutputFile(o.out, '--out');
    const snaps = listSnapshots(o.run);
    let outNimg: number;
    if (o.at !== undefined) {
      const at = snaps.filter((s) => Math.floor(s.nimg / 1000) === o.at);
      if (at.length === 0) {
        const kimgs = [...new Set(snaps.map((s) => Math.floor(s.nimg / 1000)))];
        throw new CliError(`--at ${o.at}: no snapshot at kimg ${o.at} in ${o.run} (snapshots at kimg ${kimgs.join(', ')})`);
      }
      outNimg = at[0]!.nimg;
    } else {
      outNimg = Math.max(...snaps.map((s) => s.nimg));
    }
    const inputs = snaps.filter((s) => s.nimg <= outNimg);
    const coefs = solvePosthocCoefficients(inputs.map((s) => ({ ofs: s.nimg, std: s.std })), [{ ofs: outNimg, std: o.std }]);

    await setupBackend(o.backend, ctx);
    const config = JSON.parse(inputs[0]!.network) as NetworkConfig;
    let out: Network | null = null;
    const progress = new Progress({ total: inputs.length, start: 0, label: 'phema', stream: ctx.progressStream, isTTY: ctx.isTTY });
    try {
      out = createNetwork(config);
      const acc = out.tensors();
      const trainable = new Set(out.parameters().keys());
      for (const v of out.parameters().values()) tf.tidy(() => v.assign(tf.zerosLike(v)));
      for (let i = 0; i < inputs.length; i++) {
        if (ctx.signal.aborted) throw new CliError('interrupted; nothing written');
        const net = await loadCheckpoint(inputs[i]!.file);
        try {
          for (const [name, v] of net.tensors()) {
            const target = acc.get(name)!;
            // Parameters: sum of coefficient x snapshot; buffers (Fourier features): the snapshots', all equal.
            tf.tidy(() => target.assign(trainable.has(name) ? tf.add(target, tf.mul(v, coefs[i]![0]!)) : v));
          }
        } finally {
          net.dispose();
        }
        progress.update(i + 1);
      }
      progress.finish();
      const info = { std: o.std, nimg: outNimg, run: inputs[0]!.run, snapshots: inputs.length };
      writeFileAtomic(o.out, saveNetwork(out, { metadata: { [PHEMA_RECONSTRUCTION_METADATA]: JSON.stringify(info) } }));
    } finally {
      progress.finish();
      out?.dispose();
    }
    const weights = inputs.map((s, i) => `${(s.nimg / 1000).toFixed(1)}k/${s.std.toFixed(3)}: ${coefs[i]![0]!.toFixed(4)}`);
    ctx.log(`coefficients (kimg/std: weight): ${weights.join(', ')}`);
    ctx.out(`wrote ${o.out}: EMA std ${o.std} at kimg ${(outNimg / 1000).toFixed(3)}, reconstructed from ${inputs.length} snapshots`);
  },
});
