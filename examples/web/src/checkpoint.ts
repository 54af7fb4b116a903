// Loading a checkpoint (.safetensors in the edm format): the one shipped with the app, or a file the user
// picks. Errors name the file and say what is wrong (from @edm/models' validating loader).
import { loadNetwork } from '@edm/models';

/** The loaded network (a Denoiser with dispose()). */
export type LoadedNetwork = Awaited<ReturnType<typeof loadNetwork>>;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Decodes and validates checkpoint bytes; throws "<name>: not a valid edm checkpoint: <why>". */
export async function loadCheckpointBytes(bytes: Uint8Array, name: string): Promise<LoadedNetwork> {
  if (bytes.byteLength === 0) throw new Error(`${name}: the file is empty (expected a .safetensors checkpoint)`);
  let net: LoadedNetwork;
  try {
    net = await loadNetwork(bytes, { source: name });
  } catch (e) {
    const why = message(e);
    throw new Error(`${name}: not a valid edm checkpoint: ${why.startsWith(`${name}: `) ? why.slice(name.length + 2) : why}`);
  }
  if (net.imgChannels !== 1 && net.imgChannels !== 3) {
    const c = net.imgChannels;
    net.dispose();
    throw new Error(`${name}: the network makes ${c}-channel images; this page draws 1 (gray) or 3 (RGB)`);
  }
  return net;
}

/** What a network makes: the images and the labels it takes ("28x28x1 images, 10 classes"). */
export function describeImages(net: LoadedNetwork): string {
  return `${net.imgResolution}x${net.imgResolution}x${net.imgChannels} images, ` +
    `${net.labelDim > 0 ? `${net.labelDim} classes` : 'unconditional'}`;
}

/** Throws naming both files when an autoguidance guide does not make the main network's images. */
export function checkGuide(main: LoadedNetwork, mainName: string, guide: LoadedNetwork, guideName: string): void {
  const [a, b] = [describeImages(main), describeImages(guide)];
  if (a !== b) {
    throw new Error(`${guideName} makes ${b}, but ${mainName} makes ${a}: an autoguidance guide must make the same ` +
      'images (resolution, channels, classes)');
  }
}

/** Fetches a checkpoint shipped with the app (URL relative to the page). */
export async function loadCheckpointUrl(url: string, name: string): Promise<LoadedNetwork> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${name}: could not fetch ${url}: ${message(e)}`);
  }
  if (!res.ok) throw new Error(`${name}: could not fetch ${url}: HTTP ${res.status} ${res.statusText}`);
  return loadCheckpointBytes(new Uint8Array(await res.arrayBuffer()), name);
}

/** Reads a file the user picked. */
export async function loadCheckpointFile(file: File): Promise<LoadedNetwork> {
  return loadCheckpointBytes(new Uint8Array(await file.arrayBuffer()), file.name);
}
