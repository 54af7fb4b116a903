// The dataset layout of the reference's dataset_tool.py: a folder or a zip holding PNG images named
// `00000/img00000000.png` (1000 per sub-folder) and `dataset.json` = {"labels": [["00000/img00000000.png", 6],
// ...]} (or {"labels": null}). Reading accepts any PNG and JPEG names, mixed (sorted, as the reference's
// ImageFolderDataset).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { CliError, errorMessage } from '../command/errors';
import { writeFileAtomic } from '../io/atomic';
import { decodeImage, IMAGE_FILE_EXT, type Image8 } from '../io/image';
import { encodePng } from '../io/png';
import { datasetFromImages, datasetImage, type Dataset } from './dataset';

const IMAGE_EXT = /\.(png|jpe?g|bmp|gif|webp|tiff?)$/i;

/** The archive name of image `i`, as the reference's dataset_tool: `00000/img00000000.png`. */
export function archiveName(i: number): string {
  const idx = String(i).padStart(8, '0');
  return `${idx.slice(0, 5)}/img${idx}.png`;
}

/** Lists files of a folder recursively as `/`-separated relative names. */
function listFolder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/** Reads the raw files of a dataset folder or zip (names relative, `/`-separated). */
function readRawFiles(path: string): Map<string, () => Uint8Array> {
  if (!existsSync(path)) throw new CliError(`dataset '${path}' does not exist (expected a folder or a .zip made by 'edm dataset', or 'mnist')`);
  const files = new Map<string, () => Uint8Array>();
  if (statSync(path).isDirectory()) {
    for (const name of listFolder(path)) files.set(name, () => readFileSync(join(path, name)));
    return files;
  }
  if (!/\.zip$/i.test(path)) throw new CliError(`dataset '${path}' is a file but not a .zip; expected a folder or a .zip of PNG/JPEG images`);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(path));
  } catch (e) {
    throw new CliError(`${path}: not a readable zip file (${errorMessage(e)})`);
  }
  for (const [name, bytes] of Object.entries(entries)) if (!name.endsWith('/')) files.set(name, () => bytes);
  return files;
}

/** Parses dataset.json's labels into a name -> label map (null when the dataset has no labels). */
function parseLabels(bytes: Uint8Array, source: string): Map<string, number> | null {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CliError(`${source}: dataset.json is not valid JSON (${errorMessage(e)})`);
  }
  const labels = (json as { labels?: unknown } | null)?.labels;
  if (labels === null || labels === undefined) return null;
  if (!Array.isArray(labels)) throw new CliError(`${source}: dataset.json 'labels' must be a list of [file, label] pairs or null`);
  const map = new Map<string, number>();
  for (const entry of labels) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isInteger(entry[1]) || entry[1] < 0) {
      throw new CliError(`${source}: dataset.json label entry ${JSON.stringify(entry)} is not a [file, integer >= 0] pair`);
    }
    map.set(entry[0] as string, entry[1] as number);
  }
  return map;
}

/**
 * Reads a dataset folder or zip (PNG and/or JPEG images, optional dataset.json labels) into memory; `transform` (crop,
 * resize) is applied to each image before the same-size check.
 */
export function readDatasetFiles(path: string, maxImages?: number, transform?: (img: Image8) => Image8): Dataset {
  const files = readRawFiles(path);
  const names = [...files.keys()].filter((n) => IMAGE_EXT.test(n)).sort();
  const unsupported = names.find((n) => !IMAGE_FILE_EXT.test(n));
  if (unsupported) {
    throw new CliError(`${path}: ${unsupported}: only PNG and JPEG images are supported (convert the images to PNG first)`);
  }
  if (names.length === 0) throw new CliError(`${path}: no PNG or JPEG images found`);
  const chosen = maxImages === undefined ? names : names.slice(0, maxImages);
  const labelFile = files.get('dataset.json');
  const labelMap = labelFile ? parseLabels(labelFile(), path) : null;
  const images = chosen.map((n) => {
    const img = decodeImage(files.get(n)!(), `${path}: ${n}`);
    return transform ? transform(img) : img;
  });
  let labels: (number | null)[] | null = null;
  if (labelMap) {
    labels = chosen.map((n) => {
      const l = labelMap.get(n);
      if (l === undefined) throw new CliError(`${path}: dataset.json has no label for ${n}`);
      return l;
    });
  }
  return datasetFromImages(path, images, labels, chosen);
}

/**
 * Writes a dataset as a folder or (when `dest` ends with .zip) a stored zip, in the reference layout. The zip
 * is written atomically; a folder must not exist yet (or be empty) and gets dataset.json last.
 */
export function writeDatasetFiles(ds: Dataset, dest: string, onImage?: (i: number) => void): void {
  const labelsJson = (names: string[]) =>
    JSON.stringify({ labels: ds.labels ? names.map((n, i) => [n, ds.labels![i]]) : null });
  const names = Array.from({ length: ds.count }, (_, i) => archiveName(i));
  if (/\.zip$/i.test(dest)) {
    const files: Record<string, Uint8Array> = {};
    names.forEach((n, i) => {
      files[n] = encodePng(datasetImage(ds, i));
      onImage?.(i);
    });
    files['dataset.json'] = new TextEncoder().encode(labelsJson(names));
    writeFileAtomic(dest, zipSync(files, { level: 0 }));
    return;
  }
  if (existsSync(dest) && (!statSync(dest).isDirectory() || readdirSync(dest).length > 0)) {
    throw new CliError(`--dest '${dest}' already exists and is not an empty folder`);
  }
  names.forEach((n, i) => {
    writeFileAtomic(join(dest, n), encodePng(datasetImage(ds, i)));
    onImage?.(i);
  });
  writeFileAtomic(join(dest, 'dataset.json'), labelsJson(names));
}
