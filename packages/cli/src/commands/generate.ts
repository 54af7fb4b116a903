// edm generate: images from a checkpoint, one PNG per seed and/or a grid, as the reference's generate.py.
// The same seed gives the same image across batch sizes and runs (per-seed noise).
import { join } from 'node:path';
import { defineCommand } from '../command/define';
import { CliError, UsageError } from '../command/errors';
import { bool, custom, int, str } from '../command/options';
import { writeFileAtomic } from '../io/atomic';
import { makeGrid } from '../io/grid';
import { encodePng } from '../io/png';
import { Progress } from '../io/progress';
import { parseRangeList, seedImageName } from '../io/seeds';
import { backendOption, setupBackend } from '../net/backend';
import { loadCheckpoint, readCheckpointHeader, type LoadedNetwork } from '../net/checkpoint';
import { checkOutputFile, checkOutputFolder } from '../io/output-check';
import { mergeFolderLabels } from '../data/layout';
import { DEFAULT_MODEL_FILE, findDefaultModel, withShippedGuidance } from '../net/default-model';
import { generateImages } from '../sample/generate-images';
import { checkSampling, sampledDenoiser } from '../sample/guided';
import { samplerChoice, samplerOptions } from '../sample/options';
import { checkSubmitOptions, generateQueued, submitOptions } from '../queue/submit-generate';

export default defineCommand({
  name: 'generate',
  summary: 'Generate images from a checkpoint: one PNG per seed and/or a grid.',
  description: `Examples:
  edm generate --seeds 0-63 --grid grid.png                  (the shipped MNIST model)
  edm generate --net run/network-snapshot-000200.safetensors --outdir out --seeds 0-99 --class 3
  edm generate --seeds 0-15 --grid g.png --steps 40 --s-churn 10 --s-min 0.05 --s-max 50 --s-noise 1.003
  edm generate --seeds 0-15 --grid g.png --solver euler --disc vp --schedule vp --scaling vp
  edm generate --seeds 0-15 --grid g.png --sampler dpmpp_2m --steps 25
  edm generate --seeds 0-15 --grid g.png --sampler euler_ancestral --eta 0.5
  edm generate --seeds 0-15 --grid g.png --cfg 2                 (classifier-free guidance, conditional nets)
  edm generate --net big.safetensors --guide small.safetensors --guidance 2 --seeds 0-15 --grid g.png
Every sampler of @edm/core's table is offered (--sampler; edm is the paper's Algorithm 2); each sampler option
says which samplers take it, and one a sampler does not take is refused. --solver, --disc, --schedule and
--scaling select the ablation sampler, as generate.py. Reference spellings (--S_churn, --sigma_min) are
accepted too.`,
  options: {
    net: str({ help: 'Checkpoint (.safetensors)', metavar: 'FILE', showDefault: `the shipped MNIST model (models/${DEFAULT_MODEL_FILE})` }),
    outdir: str({ help: 'Folder for one PNG per seed (NNNNNN.png)', metavar: 'DIR' }),
    subdirs: bool({ help: 'Put images in sub-folders of 1000 seeds each', default: false }),
    grid: str({ help: 'Also (or only) write all images as one grid PNG', metavar: 'FILE.png' }),
    seeds: custom('LIST', (raw, flag) => parseRangeList(raw, flag), { help: 'Seeds, e.g. 0-63,100', range: 'at most 1000000 seeds, each 0 to 4294967295', default: Array.from({ length: 64 }, (_, i) => i), showDefault: '0-63' }),
    class: int({ help: 'Class label of every image (default: seed mod number of classes)', min: 0, max: 100000, metavar: 'INT' }),
    batch: int({ help: 'Largest batch size', min: 1, max: 4096, default: 64 }),
    ...samplerOptions,
    ...submitOptions('--batch'),
    backend: backendOption(),
  },
  async run({ options }, ctx) {
    if (!options.outdir && !options.grid) throw new UsageError('nothing to write: give --outdir DIR and/or --grid FILE.png');
    if (options.grid && !/\.png$/i.test(options.grid)) throw new UsageError(`--grid: expected a file name ending in .png, got '${options.grid}'`);
    checkSubmitOptions(options);
    // The shipped model comes with its guide (autoguidance) unless the options say otherwise.
    const choice = samplerChoice(options.net === undefined ? withShippedGuidance(options) : options);
    const netPath = options.net ?? findDefaultModel();
    if (!netPath) throw new CliError(`no --net given and the shipped model (models/${DEFAULT_MODEL_FILE}) is not installed`);
    // Everything that can be checked before sampling is: the outputs, then the checkpoints' headers.
    if (options.outdir) checkOutputFolder(options.outdir, '--outdir');
    if (options.grid) checkOutputFile(options.grid, '--grid');
    readCheckpointHeader(netPath);
    if (choice.guide) readCheckpointHeader(choice.guide.path);
    if (options.queue) {
      // Sharded over the queue's workers (they sample; this process waits): src/queue/submit-generate.ts.
      return generateQueued({
        queue: options.queue, netPath, choice, seeds: options.seeds, outdir: options.outdir, subdirs: options.subdirs, grid: options.grid,
        classIndex: options.class, batch: options.batch, jobSeeds: options.jobSeeds, attempts: options.attempts,
      }, ctx);
    }
    await setupBackend(options.backend, ctx);
    const net = await loadCheckpoint(netPath);
    let guide: LoadedNetwork | undefined;
    try {
      if (choice.guide) guide = await loadCheckpoint(choice.guide.path);
      checkSampling(netPath, net, guide, choice, options.class);
      const sampled = sampledDenoiser(net, guide, choice);
      const seeds = options.seeds;
      const progress = new Progress({
        total: seeds.length, label: 'generate', stream: ctx.progressStream, isTTY: ctx.isTTY,
        format: (v) => v.toFixed(0), rate: (r) => `${r.toFixed(2)} img/s`,
      });
      const t0 = performance.now();
      let done = 0;
      // A conditional network's images are labelled (dataset.json beside them): the folder reads as a dataset.
      const labels = new Map<string, number>();
      const images = await generateImages(sampled, seeds, {
        sampler: choice.sampler,
        settings: choice.settings,
        classIndex: options.class,
        batch: options.batch,
        signal: ctx.signal,
        onStep: (step, total) => {
          if (Number.isFinite(total)) progress.update((step / total) * seeds.length, { step: `${step}/${total}` });
        },
        onBatch: (imgs, batchSeeds) => {
          if (options.outdir) {
            imgs.forEach((img, i) => {
              const s = batchSeeds[i]!;
              const name = seedImageName(s, options.subdirs);
              writeFileAtomic(join(options.outdir!, name), encodePng(img));
              if (net.labelDim > 0) labels.set(name, options.class ?? s % net.labelDim);
            });
          }
          done += imgs.length;
          progress.update(done, {}, true);
          if (!ctx.isTTY) progress.line(`generated ${done}/${seeds.length} images`);
        },
      });
      progress.finish();
      if (options.outdir && labels.size) mergeFolderLabels(options.outdir, labels);
      if (options.grid) writeFileAtomic(options.grid, encodePng(makeGrid(images)));
      const sec = (performance.now() - t0) / 1000;
      const wrote = [options.outdir ? `${seeds.length} PNGs in ${options.outdir}` : '', options.grid ? `grid ${options.grid}` : '']
        .filter(Boolean).join(' and ');
      ctx.out(`wrote ${wrote} (${seeds.length} images, ${sec.toFixed(1)} s, ${((sec / seeds.length) * 1000).toFixed(0)} ms/image)`);
    } finally {
      net.dispose();
      guide?.dispose();
    }
  },
});
