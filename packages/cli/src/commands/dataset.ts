// edm dataset: converts a folder or zip of PNG or JPEG images, or the built-in MNIST digits, into the dataset layout
// `edm train` reads (the reference's dataset_tool.py: PNGs named 00000/img00000000.png + dataset.json labels).
import { centerCrop, resize } from '../data/resize';
import { loadDatasetSteps } from '../data/source';
import { checkDatasetDest, writeDatasetSteps } from '../data/layout';
import { defineCommand } from '../command/define';
import { UsageError } from '../command/errors';
import { bool, choice, custom, int, str } from '../command/options';
import type { Image8 } from '../io/image';
import { Progress } from '../io/progress';
import { runSteps } from '../util/steps';

/** Parses `--resolution` as WxH (or a single N for N x N). */
export function parseResolution(raw: string, flag: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(raw.trim());
  const w = m ? Number(m[1]) : NaN;
  const h = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || w < 1 || h < 1 || w > 16384 || h > 16384) throw new UsageError(`${flag}: expected WxH (e.g. 32x32) or N, got '${raw}'`);
  return [w, h];
}

export default defineCommand({
  name: 'dataset',
  summary: 'Convert images (folder or zip of PNG or JPEG images) or MNIST into a training dataset (folder or zip + dataset.json).',
  description: `Examples:
  edm dataset --source mnist --dest mnist.zip
  edm dataset --source photos/ --dest photos-64.zip --transform center-crop --resolution 64x64
Labels: a source's dataset.json ({"labels": [["name.png", 3], ...]}) is carried over; MNIST has its digit labels.
The destination appears only complete (a folder is built under a temporary name and renamed); an existing zip
or non-empty folder is replaced only with --overwrite. Ctrl-C stops with nothing written (exit 130).`,
  options: {
    source: str({ help: "Input: 'mnist', a folder of PNG or JPEG images, or a .zip of them", required: true, metavar: 'PATH' }),
    dest: str({ help: 'Output folder, or a file ending in .zip', required: true, metavar: 'PATH' }),
    maxImages: int({ help: 'Take at most this many images (in sorted name order)', min: 1, max: 1e9 }),
    transform: choice(['center-crop'] as const, { help: 'Crop the centred square before resizing' }),
    resolution: custom('WxH', parseResolution, { help: 'Resize every image to WxH (e.g. 32x32)', range: 'each side 1 to 16384' }),
    overwrite: bool({ help: 'Replace an existing --dest (a zip, or a folder that is not empty)', default: false }),
  },
  async run({ options }, ctx) {
    const res = options.resolution;
    if (options.transform === 'center-crop' && !res) throw new UsageError('--transform center-crop needs --resolution');
    const transform = options.transform || res
      ? (img: Image8) => {
        const cropped = options.transform === 'center-crop' ? centerCrop(img) : img;
        return res ? resize(cropped, res[0], res[1]) : cropped;
      }
      : undefined;
    const dest = { overwrite: options.overwrite };
    checkDatasetDest(options.dest, dest); // before reading anything
    const stopped = `interrupted; nothing written to ${options.dest}`;
    const ds = await runSteps(loadDatasetSteps(options.source, options.maxImages, transform), ctx.signal, stopped);
    const progress = new Progress({
      total: ds.count, label: 'writing', stream: ctx.progressStream, isTTY: ctx.isTTY, rate: (r) => `${r.toFixed(0)} img/s`,
    });
    await runSteps(writeDatasetSteps(ds, options.dest, dest), ctx.signal, stopped, (i) => progress.update(i + 1));
    progress.finish();
    ctx.out(
      `${options.dest}: ${ds.count} images, ${ds.width}x${ds.height}, ${ds.channels} channel(s), ` +
      (ds.labels ? `${ds.labelDim} classes` : 'no labels'),
    );
  },
});
