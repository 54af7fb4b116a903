// The feature networks `edm metrics` can use, named by --detector:
//   inception:FILE  the FID Inception-v3 from pytorch-fid's pt_inception-2015-12-05-6726825d.pth (legacy or zip
//                   torch format), downloaded by the user;
//   mnist           the project's MNIST digit judge (28 x 28 grayscale digits; no download).
// Each gives an @edm/metrics FeatureDetector: its name and weights hash go into reference statistics, and a
// reference is only compared with features of the same detector.
import { FID_INCEPTION_NAME, FidInception, type FeatureDetector } from '@edm/metrics';
import { CliError, UsageError, errorMessage } from '../command/errors';
import { readInputFile } from '../io/read-file';

/** What --detector asks for. */
export type DetectorSpec = { kind: 'inception'; file: string } | { kind: 'mnist' };

/** The detector name the MNIST judge records in reference statistics. */
export const MNIST_DETECTOR_NAME = 'mnist-judge';

/** Parses `inception:FILE` or `mnist`. */
export function parseDetector(raw: string, flag = '--detector'): DetectorSpec {
  if (raw === 'mnist') return { kind: 'mnist' };
  const m = /^inception:(.+)$/.exec(raw);
  if (m) return { kind: 'inception', file: m[1]! };
  throw new UsageError(`${flag}: expected inception:FILE (pytorch-fid's pt_inception-2015-12-05-6726825d.pth) or mnist, got '${raw}'`);
}

/** The --detector a reference made with detector `name` needs, in words (for messages). */
export function detectorHint(name: string): string {
  if (name === FID_INCEPTION_NAME) return '--detector inception:FILE (the pt_inception-2015-12-05-6726825d.pth it was made with)';
  if (name === MNIST_DETECTOR_NAME) return '--detector mnist';
  return `the detector '${name}'`;
}

/** Loads the detector; errors name the file. */
export async function loadDetector(spec: DetectorSpec): Promise<FeatureDetector> {
  if (spec.kind === 'mnist') {
    throw new CliError('--detector mnist: the MNIST digit judge is not available yet in this version; use --detector inception:FILE ' +
      "(pytorch-fid's pt_inception-2015-12-05-6726825d.pth, see docs/quality.md)");
  }
  const bytes = readInputFile(spec.file, '--detector inception: weights file');
  try {
    return await FidInception.load(bytes, spec.file);
  } catch (e) {
    throw new CliError(errorMessage(e));
  }
}
