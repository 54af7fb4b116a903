// edm metrics: sample quality in a detector's features, in three forms (other tools call exactly these):
//   edm metrics ref --data DATASET --out ref.safetensors [--detector inception:FILE|mnist]
//   edm metrics --images DIR | --net CKPT --seeds LIST [sampler options] --ref ref.safetensors
//               [--metrics fid,kid,pr,accuracy] [--detector ...] [--json]
//   edm metrics features --detector inception:FILE|mnist --images DIR --out F.safetensors
// Reference statistics are made once per dataset and detector (like NVlabs' fid.py ref); samples are compared
// with them by the Frechet distance, KID and precision/recall of @edm/metrics. Nothing is written unless the
// whole run succeeds.
import { autoguidance, classifierFreeGuidance, type Denoiser } from '@edm/core';
import { encodeSafetensors } from '@edm/models';
import {
  computeFeatures, decodeReference, encodeReference, featureStats, frechetDistance, imagesInMemory,
  kernelInceptionDistance, makeReference, precisionRecall, type FeatureDetector, type ReferenceStats,
} from '@edm/metrics';
import { defineCommand, type CommandContext } from '../command/define';
import { CliError, InterruptedError, UsageError, errorMessage } from '../command/errors';
import { bool, custom, int, kebab, str } from '../command/options';
import { loadDataset } from '../data/source';
import { writeFileAtomic } from '../io/atomic';
import { checkOutputFile } from '../io/output-check';
import { Progress } from '../io/progress';
import { readInputFile } from '../io/read-file';
import { parseRangeList } from '../io/seeds';
import { backendOption, setupBackend } from '../net/backend';
import { loadCheckpoint, type LoadedNetwork } from '../net/checkpoint';
import { generateImages } from '../sample/generate-images';
import { samplerChoice, samplerOptions } from '../sample/options';
import { MNIST_DETECTOR_NAME, detectorHint, loadDetector, parseDetector, type DetectorSpec } from '../metrics/detector';

/** The metrics --metrics names. */
const METRICS = ['fid', 'kid', 'pr', 'accuracy'] as const;
type MetricName = (typeof METRICS)[number];

function parseMetrics(raw: string, flag: string): MetricName[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  const bad = names.find((n) => !(METRICS as readonly string[]).includes(n));
  if (bad !== undefined) throw new UsageError(`${flag}: unknown metric '${bad}'; expected a comma-separated list of ${METRICS.join(', ')}`);
  return [...new Set(names)] as MetricName[];
}

/** Images to judge, 8-bit NHWC in memory, and where they came from. */
interface Images {
  pixels: Uint8Array;
  shape: [number, number, number, number];
  source: string;
}

/** Runs `detector` over the images with a progress bar; Ctrl-C stops between batches. */
async function featuresOf(detector: FeatureDetector, images: Images, batch: number | undefined, ctx: CommandContext): Promise<Float32Array> {
  const total = images.shape[0];
  const progress = new Progress({
    total, label: 'features', stream: ctx.progressStream, isTTY: ctx.isTTY, rate: (r) => `${r.toFixed(2)} img/s`,
  });
  let nextLine = 0;
  try {
    const features = await computeFeatures(detector, imagesInMemory(images.pixels, images.shape), {
      ...(batch !== undefined && { batchSize: batch }),
      onProgress: (done) => {
        if (ctx.signal.aborted) throw new InterruptedError('interrupted: nothing written');
        progress.update(done, {}, true);
        if (!ctx.isTTY && (done >= nextLine || done === total)) {
          progress.line(`features: ${done}/${total} images`);
          nextLine = done + Math.max(1, Math.ceil(total / 10));
        }
      },
    });
    progress.finish();
    return features;
  } catch (e) {
    progress.finish();
    if (e instanceof CliError) throw e;
    throw new CliError(`${images.source}: ${errorMessage(e)}`);
  }
}

/** A dataset or image folder (mixed sizes or channels: an error naming the file). */
function readImages(path: string): Images {
  const ds = loadDataset(path);
  return { pixels: ds.pixels, shape: [ds.count, ds.height, ds.width, ds.channels], source: path };
}

/** Samples of `netPath` for `seeds` (class seed mod classes), as generate makes them. */
async function sampleImages(netPath: string, seeds: number[], batch: number, parsed: Record<string, unknown>, ctx: CommandContext): Promise<Images> {
  const choice = samplerChoice(parsed);
  const net = await loadCheckpoint(netPath);
  let guide: LoadedNetwork | undefined;
  try {
    if (choice.cfg !== undefined && net.labelDim === 0) throw new UsageError(`--cfg: classifier-free guidance needs a class-conditional network; ${netPath} is unconditional`);
    if (choice.guide) guide = await loadCheckpoint(choice.guide.path);
    const sampled: Denoiser = choice.cfg !== undefined ? classifierFreeGuidance(net, { weight: choice.cfg })
      : guide && choice.guide ? autoguidance(net, guide, { weight: choice.guide.weight }) : net;
    const progress = new Progress({ total: seeds.length, label: 'generate', stream: ctx.progressStream, isTTY: ctx.isTTY, rate: (r) => `${r.toFixed(2)} img/s` });
    let done = 0;
    const images = await generateImages(sampled, seeds, {
      sampler: choice.sampler, settings: choice.settings, batch, signal: ctx.signal,
      onStep: (step, total) => { if (Number.isFinite(total)) progress.update((step / total) * seeds.length); },
      onBatch: (imgs) => {
        done += imgs.length;
        progress.update(done, {}, true);
        if (!ctx.isTTY) progress.line(`generated ${done}/${seeds.length} images`);
      },
    });
    progress.finish();
    const first = images[0]!;
    const size = first.data.length;
    const pixels = new Uint8Array(images.length * size);
    images.forEach((img, i) => pixels.set(img.data, i * size));
    return { pixels, shape: [images.length, first.height, first.width, first.channels], source: netPath };
  } finally {
    net.dispose();
    guide?.dispose();
  }
}

/** Loads the detector, turning library errors into CliErrors. */
async function detectorFor(spec: DetectorSpec): Promise<FeatureDetector> {
  try {
    return await loadDetector(spec);
  } catch (e) {
    if (e instanceof CliError || e instanceof UsageError) throw e;
    throw new CliError(errorMessage(e));
  }
}

/** Reference statistics from a file, refused when made by another detector than `detector` (naming both). */
function readReference(path: string, detector?: FeatureDetector): ReferenceStats {
  const bytes = readInputFile(path, '--ref');
  try {
    return decodeReference(bytes, path, detector);
  } catch (e) {
    throw new CliError(errorMessage(e));
  }
}

const fmt = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));

export default defineCommand({
  name: 'metrics',
  summary: 'Sample quality: FID, KID, precision/recall against reference statistics; make references and feature files.',
  description: `Forms:
  edm metrics ref --data DATASET --out ref.safetensors [--detector inception:FILE|mnist]
  edm metrics --images DIR | --net CKPT --seeds LIST [sampler options] --ref ref.safetensors
              [--metrics fid,kid,pr,accuracy] [--detector ...] [--json]
  edm metrics features --detector inception:FILE|mnist --images DIR --out F.safetensors
Examples:
  edm metrics ref --data mnist-heldout --out heldout-inception.safetensors --detector inception:pt_inception-2015-12-05-6726825d.pth
  edm metrics --images out --ref heldout-inception.safetensors --detector inception:pt_inception-2015-12-05-6726825d.pth --metrics fid,kid,pr
  edm metrics --net run/network-snapshot-000200.safetensors --seeds 0-999 --steps 18 --ref heldout-inception.safetensors \\
              --detector inception:pt_inception-2015-12-05-6726825d.pth --json
--detector inception:FILE is the FID Inception-v3 of pytorch-fid; download pt_inception-2015-12-05-6726825d.pth yourself
from pytorch-fid's GitHub releases (docs/quality.md). A reference records its detector's name and weights hash and is
only compared with features of the same detector. Images are PNG/JPEG files of one size (any folder depth, sorted
by file name) or a dataset folder/zip made by 'edm dataset'; with --net the samples are made as 'edm generate' makes
them (class = seed mod classes). fid is the Frechet distance in the detector's features (FID with the Inception),
kid the unbiased MMD^2 with a cubic kernel (100 subsets of 1000; mean and std), pr improved precision and recall
(k = 3). Nothing is written unless the whole run succeeds.`,
  positionals: [{ name: 'action', help: "'ref' (reference statistics of a dataset) or 'features' (a feature file); omitted: compute metrics", optional: true }],
  options: {
    images: str({ help: 'Images to judge: a folder of PNG/JPEG (sorted by file name) or a dataset folder/zip', metavar: 'DIR' }),
    net: str({ help: 'Or a checkpoint to sample (with --seeds and the sampler options)', metavar: 'CKPT' }),
    seeds: custom('LIST', (raw, flag) => parseRangeList(raw, flag), { help: 'Seeds of the samples, e.g. 0-9999 (with --net)', range: 'at most 1000000 seeds, each 0 to 4294967295' }),
    batch: int({ help: 'Sampling batch (with --net)', min: 1, max: 4096, default: 64 }),
    ...samplerOptions,
    ref: str({ help: "Reference statistics made by 'edm metrics ref'", metavar: 'FILE' }),
    metrics: custom('LIST', parseMetrics, { help: `Metrics: ${METRICS.join(', ')} (pr: precision and recall)`, default: ['fid'] as MetricName[], showDefault: 'fid' }),
    detector: custom('SPEC', parseDetector, { help: 'Feature network: inception:FILE (pt_inception-2015-12-05-6726825d.pth) or mnist', showDefault: "ref: mnist; metrics: the reference's" }),
    detectorBatch: int({ help: 'Images per detector pass', min: 1, max: 4096, showDefault: "the detector's (inception 8)" }),
    json: bool({ help: 'Print the metrics as JSON instead of a table', default: false }),
    data: str({ help: "Dataset for 'ref': mnist, mnist-train, mnist-heldout, or a folder/zip made by 'edm dataset'", metavar: 'DATASET' }),
    out: str({ help: "Output file of 'ref' and 'features' (.safetensors)", metavar: 'FILE' }),
    backend: backendOption(),
  },
  async run({ options, positionals }, ctx) {
    const action = positionals.action;
    if (action !== undefined && action !== 'ref' && action !== 'features') {
      throw new UsageError(`unknown action '${action}': expected 'ref', 'features', or none (compute metrics with --images or --net)`);
    }
    const samplerGiven = Object.keys(samplerOptions).filter((k) => (options as Record<string, unknown>)[k] !== undefined);
    const refuse = (names: [string, unknown][], form: string) => {
      const given = names.find(([, v]) => v !== undefined);
      if (given) throw new UsageError(`${given[0]} is not an option of ${form}`);
    };

    if (action === 'ref' || action === 'features') {
      const form = `'edm metrics ${action}'`;
      refuse([['--net', options.net], ['--seeds', options.seeds], ['--ref', options.ref], ...samplerGiven.map((k): [string, unknown] => [`--${kebab(k)}`, true])], form);
      if (action === 'ref') {
        refuse([['--images', options.images]], `${form} (it reads --data)`);
        if (!options.data) throw new UsageError(`${form} needs --data DATASET (mnist, mnist-train, mnist-heldout, or a folder/zip)`);
      } else {
        refuse([['--data', options.data]], `${form} (it reads --images)`);
        if (!options.images) throw new UsageError(`${form} needs --images DIR`);
        if (!options.detector) throw new UsageError(`${form} needs --detector inception:FILE or --detector mnist`);
      }
      if (!options.out) throw new UsageError(`${form} needs --out FILE.safetensors`);
      checkOutputFile(options.out, '--out');
      const spec: DetectorSpec = options.detector ?? { kind: 'mnist' };
      const images = readImages(action === 'ref' ? options.data! : options.images!);
      await setupBackend(options.backend, ctx);
      const detector = await detectorFor(spec);
      try {
        const t0 = performance.now();
        const features = await featuresOf(detector, images, options.detectorBatch, ctx);
        const n = images.shape[0];
        const d = detector.featureDim;
        const sec = ((performance.now() - t0) / 1000).toFixed(1);
        if (action === 'ref') {
          let ref: ReferenceStats;
          try {
            ref = makeReference(detector, features, { dataset: images.source });
          } catch (e) {
            throw new CliError(`${images.source}: ${errorMessage(e)}`);
          }
          writeFileAtomic(options.out, encodeReference(ref));
          ctx.out(`wrote ${options.out}: reference statistics of ${images.source} (${n} images, ${d} features of ${detector.name}, weights ${detector.hash.slice(0, 12)}; ${sec} s)`);
        } else {
          const bytes = new Uint8Array(features.buffer, features.byteOffset, features.byteLength);
          writeFileAtomic(options.out, encodeSafetensors(new Map([['features', { dtype: 'F32', shape: [n, d], data: bytes }]]), {
            detector: detector.name, 'detector.hash': detector.hash, images: images.source,
          }));
          ctx.out(`wrote ${options.out}: features [${n}, ${d}] of ${images.source} by ${detector.name} (${sec} s)`);
        }
      } finally {
        detector.dispose();
      }
      return;
    }

    // Compute metrics.
    refuse([['--data', options.data], ['--out', options.out]], "'edm metrics' (they belong to 'edm metrics ref' and 'features')");
    if ((options.images === undefined) === (options.net === undefined)) {
      throw new UsageError(options.images ? 'give --images DIR or --net CKPT, not both' : 'nothing to judge: give --images DIR or --net CKPT --seeds LIST');
    }
    if (options.net !== undefined && options.seeds === undefined) throw new UsageError('--net needs --seeds LIST (e.g. 0-9999): the samples to make');
    if (options.net === undefined) {
      refuse([['--seeds', options.seeds], ...samplerGiven.map((k): [string, unknown] => [`--${kebab(k)}`, true])], "'edm metrics --images' (sampling options need --net)");
    }
    if (!options.ref) throw new UsageError("'edm metrics' needs --ref FILE: reference statistics made by 'edm metrics ref'");
    const metrics = options.metrics;
    if (metrics.includes('accuracy')) {
      throw new CliError('--metrics accuracy: class accuracy needs the MNIST digit judge, which is not available yet in this version');
    }
    const refHeader = readReference(options.ref);
    let spec = options.detector;
    if (!spec) {
      if (refHeader.detector === MNIST_DETECTOR_NAME) spec = { kind: 'mnist' };
      else throw new UsageError(`${options.ref} was made with ${refHeader.detector}: give ${detectorHint(refHeader.detector)}`);
    }
    const images = options.images ? readImages(options.images) : undefined;
    const count = images ? images.shape[0] : options.seeds!.length;
    const refCount = refHeader.features.length / refHeader.stats.dim;
    const needs = (n: number, what: string) => {
      if (count < n) throw new CliError(`${what} needs at least ${n} images, ${images ? images.source : '--seeds'} gives ${count}`);
      if (refCount < n) throw new CliError(`${what} needs at least ${n} reference images, ${options.ref} holds the features of ${refCount}`);
    };
    if (metrics.includes('fid')) needs(2, 'fid: the Frechet distance');
    if (metrics.includes('kid')) needs(2, 'kid');
    if (metrics.includes('pr')) needs(4, 'pr (k = 3 nearest neighbours)');
    await setupBackend(options.backend, ctx);
    const detector = await detectorFor(spec);
    try {
      const ref = readReference(options.ref, detector);
      const judged = images ?? await sampleImages(options.net!, options.seeds!, options.batch, options as Record<string, unknown>, ctx);
      const features = await featuresOf(detector, judged, options.detectorBatch, ctx);
      const d = detector.featureDim;
      const n = judged.shape[0];
      const result: Record<string, number | string> = {
        detector: detector.name, detector_hash: detector.hash, images: n, source: judged.source,
        ref: options.ref, ref_dataset: ref.dataset, ref_images: ref.stats.count,
      };
      const rows: [string, string][] = [];
      try {
        if (metrics.includes('fid')) {
          const fid = frechetDistance(featureStats(features, d, judged.source), ref.stats, { onWarning: (w) => ctx.log(w) });
          result.fid = fid;
          rows.push(['fid', fmt(fid)]);
        }
        if (metrics.includes('kid')) {
          const kid = await kernelInceptionDistance(features, ref.features, d);
          Object.assign(result, { kid: kid.mean, kid_std: kid.std, kid_subsets: kid.values.length, kid_subset_size: kid.subsetSize });
          rows.push(['kid', `${fmt(kid.mean)} (std ${fmt(kid.std)}, ${kid.values.length} subsets of ${kid.subsetSize})`]);
        }
        if (metrics.includes('pr')) {
          const pr = await precisionRecall(ref.features, features, d);
          Object.assign(result, pr);
          rows.push(['precision', pr.precision.toFixed(4)], ['recall', pr.recall.toFixed(4)]);
        }
      } catch (e) {
        throw new CliError(errorMessage(e));
      }
      if (options.json) {
        ctx.out(JSON.stringify(result));
        return;
      }
      ctx.out(`${n} images (${judged.source}) vs ${options.ref} (${ref.dataset || 'reference'}, ${ref.stats.count} images), detector ${detector.name}`);
      const w = Math.max(...rows.map(([k]) => k.length));
      for (const [k, v] of rows) ctx.out(`${k.padEnd(w)}  ${v}`);
    } finally {
      detector.dispose();
    }
  },
});
