// The feature networks `edm metrics` can use, named by --detector:
//   inception:FILE  the FID Inception-v3 from pytorch-fid's pt_inception-2015-12-05-6726825d.pth (legacy or zip
//                   torch format), downloaded by the user;
//   mnist[:FILE]    the project's MNIST digit judge (28 x 28 grayscale digits; no download): the shipped
//                   models/mnist-judge.safetensors, or a judge file `edm metrics train-judge` wrote.
// Each gives an @edm/metrics FeatureDetector: its name and weights hash go into reference statistics, and a
// reference is only compared with features of the same detector.
import { FID_INCEPTION_NAME, FidInception, MNIST_JUDGE_NAME, MnistJudge, type FeatureDetector } from '@edm/metrics';
import { CliError, UsageError, errorMessage } from '../command/errors';
import { readInputFile } from '../io/read-file';
import { MNIST_JUDGE_FILE, shippedPath } from '../net/default-model';

/** What --detector asks for. */
export type DetectorSpec = { kind: 'inception'; file: string } | { kind: 'mnist'; file?: string };

/** The detector name the MNIST judge records in reference statistics. */
export const MNIST_DETECTOR_NAME = MNIST_JUDGE_NAME;

/** Parses `inception:FILE`, `mnist` or `mnist:FILE`. */
export function parseDetector(raw: string, flag = '--detector'): DetectorSpec {
  if (raw === 'mnist') return { kind: 'mnist' };
  const m = /^(inception|mnist):(.+)$/.exec(raw);
  if (m) return { kind: m[1] as 'inception' | 'mnist', file: m[2]! };
  throw new UsageError(`${flag}: expected inception:FILE (pytorch-fid's pt_inception-2015-12-05-6726825d.pth), mnist or mnist:FILE, got '${raw}'`);
}

/** The --detector a reference made with detector `name` needs, in words (for messages). */
export function detectorHint(name: string): string {
  if (name === FID_INCEPTION_NAME) return '--detector inception:FILE (the pt_inception-2015-12-05-6726825d.pth it was made with)';
  if (name === MNIST_DETECTOR_NAME) return '--detector mnist';
  return `the detector '${name}'`;
}

/** Loads the detector; errors name the file. */
export async function loadDetector(spec: DetectorSpec): Promise<FeatureDetector> {
  const file = spec.kind === 'mnist' ? spec.file ?? shippedPath(MNIST_JUDGE_FILE) : spec.file;
  const bytes = readInputFile(file, spec.kind === 'mnist' ? '--detector mnist: judge file' : '--detector inception: weights file');
  try {
    return spec.kind === 'mnist' ? await MnistJudge.load(bytes, file) : await FidInception.load(bytes, file);
  } catch (e) {
    throw new CliError(errorMessage(e));
  }
}
