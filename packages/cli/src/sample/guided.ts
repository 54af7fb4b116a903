// The denoiser a sampling request runs: the network alone, classifier-free guidance (--cfg) or autoguidance
// (--guide/--guidance), and the checks of those choices and of --class against the networks. The checks need
// only what a network makes (resolution, channels, classes), so they run on loaded networks and on the
// networks a checkpoint's header declares alike (edm generate --queue checks before anything is queued).
import { autoguidance, classifierFreeGuidance, type Denoiser } from '@edm/core';
import { CliError, UsageError } from '../command/errors';
import type { SamplerChoice } from './options';

/** What a network makes: its images and the labels it takes. */
export type ImageSpec = Pick<Denoiser, 'imgResolution' | 'imgChannels' | 'labelDim'>;

/** What `--guide` must share with `--net`: the images it makes and the labels it takes. */
export function describeImages(net: ImageSpec): string {
  return `${net.imgResolution}x${net.imgResolution}x${net.imgChannels} images, ` +
    (net.labelDim === 0 ? 'unconditional' : `${net.labelDim} classes`);
}

/**
 * Checks the guidance of `choice` and a fixed `classIndex` against `net` (from `netPath`) and the guide:
 * --cfg needs a conditional network, the guide must make the same images, --class must be one of the classes.
 */
export function checkSampling(netPath: string, net: ImageSpec, guide: ImageSpec | undefined, choice: SamplerChoice, classIndex?: number): void {
  if (choice.cfg !== undefined && net.labelDim === 0) {
    throw new UsageError(`--cfg ${choice.cfg}: classifier-free guidance needs a class-conditional network; ${netPath} is unconditional`);
  }
  if (choice.guide && guide) {
    const [a, b] = [describeImages(net), describeImages(guide)];
    if (a !== b) {
      throw new CliError(`--guide ${choice.guide.path} makes ${b}, but --net ${netPath} makes ${a}: ` +
        'the guide must make the same images (resolution, channels, classes)');
    }
  }
  if (classIndex !== undefined) {
    if (net.labelDim === 0) throw new UsageError(`--class ${classIndex}: the network ${netPath} is unconditional (no classes)`);
    if (classIndex >= net.labelDim) throw new UsageError(`--class: expected 0..${net.labelDim - 1} for ${netPath}, got ${classIndex}`);
  }
}

/** The denoiser `choice` asks for: classifier-free guidance, autoguidance with `guide`, or `net` alone. */
export function sampledDenoiser(net: Denoiser, guide: Denoiser | undefined, choice: SamplerChoice): Denoiser {
  if (choice.cfg !== undefined) return classifierFreeGuidance(net, { weight: choice.cfg });
  if (guide && choice.guide) return autoguidance(net, guide, { weight: choice.guide.weight });
  return net;
}
