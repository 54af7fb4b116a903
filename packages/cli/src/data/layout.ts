// The dataset layout of the reference's dataset_tool.py: a folder or a zip holding PNG images named
// `00000/img00000000.png` (1000 per sub-folder) and `dataset.json` = {"labels": [["00000/img00000000.png", 6],
// ...]} (or {"labels": null}). Reading accepts any PNG and JPEG names, mixed (sorted, as the reference's
// ImageFolderDataset). Zips are read entry by entry within limits (zip.ts); a folder is written in a temporary
// folder renamed into place once complete, so an interrupted or failed run leaves no partial dataset.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { zipSync } from 'fflate';
import { CliError, errorMessage } from '../command/errors';
import { removeOnExit, tempPathFor, writeFileAtomic } from '../io/atomic';
import { errorCode, fsError, fsErrorReason } from '../io/fs-errors';
import { decodeImage, IMAGE_FILE_EXT, type Image8 } from '../io/image';
import { checkOutputFile, checkOutputFolder } from '../io/output-check';
import { encodePng } from '../io/png';
import { drainSteps, type Steps } from '../util/steps';
import { datasetFromImages, datasetImage, type Dataset } from './dataset';
import { MAX_DATASET_FILE, openDatasetZip } from './zip';

const IMAGE_EXT = /\.(png|jpe?g|bmp|gif|webp|tiff?)$/i;
/** Names `edm dataset` (and dataset_tool.py) give images. */
const ARCHIVE_NAME = /^\d{5}\/img\d{8}\.png$/;

/** The archive name of image `i`, as the reference's dataset_tool: `00000/img00000000.png`. */
export function archiveName(i: number): string {
  const idx = String(i).padStart(8, '0');
  return `${idx.slice(0, 5)}/img${idx}.png`;
}

/** Lists files of a folder recursively as `/`-separated relative names (errors name the path). */
function listFolder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw fsError(e, dir);
    }
    for (const name of names) {
      const p = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch (e) {
        throw fsError(e, p);
      }
      if (isDir) walk(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/** The files of a dataset folder or zip: names (relative, `/`-separated) and a reader of each. */
interface RawFiles {
  names: string[];
  read(name: string): Uint8Array;
  close(): void;
}

/** Reads one file of a dataset folder, refusing one past {@link MAX_DATASET_FILE}. */
function readFolderFile(path: string): Uint8Array {
  try {
    const size = statSync(path).size;
    if (size > MAX_DATASET_FILE) {
      throw new CliError(`${path}: ${(size / 2 ** 20).toFixed(1)} MiB, more than the ${MAX_DATASET_FILE / 2 ** 20} MiB limit for one image file`);
    }
    return readFileSync(path);
  } catch (e) {
    throw fsError(e, path);
  }
}

/** Opens a dataset folder or zip (nothing read yet). */
function openRawFiles(path: string): RawFiles {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') {
      throw new CliError(`dataset '${path}' does not exist (expected a folder or a .zip made by 'edm dataset', or 'mnist')`);
    }
    throw new CliError(`dataset '${path}': ${fsErrorReason(e)}`);
  }
  if (st.isDirectory()) {
    return { names: listFolder(path), read: (name) => readFolderFile(join(path, name)), close: () => {} };
  }
  if (!/\.zip$/i.test(path)) throw new CliError(`dataset '${path}' is a file but not a .zip; expected a folder or a .zip of PNG/JPEG images`);
  const zip = openDatasetZip(path);
  return { names: [...zip.entries.keys()], read: zip.read, close: zip.close };
}

/** Parses dataset.json's labels into a name -> label map (null when the dataset has no labels). */
export function parseLabels(bytes: Uint8Array, source: string): Map<string, number> | null {
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
 * Reads a dataset folder or zip (PNG and/or JPEG images, optional dataset.json labels) into memory, yielding
 * after each image; `transform` (crop, resize) is applied to each image before the same-size check. A folder
 * of images named as `edm dataset` names them but without dataset.json is refused: it is one whose writing
 * stopped before the end.
 */
export function* readDatasetSteps(path: string, maxImages?: number, transform?: (img: Image8) => Image8): Steps<Dataset> {
  const files = openRawFiles(path);
  try {
    const names = files.names.filter((n) => IMAGE_EXT.test(n)).sort();
    const unsupported = names.find((n) => !IMAGE_FILE_EXT.test(n));
    if (unsupported) {
      throw new CliError(`${path}: ${unsupported}: only PNG and JPEG images are supported (convert the images to PNG first)`);
    }
    if (names.length === 0) throw new CliError(`${path}: no PNG or JPEG images found`);
    const hasLabels = files.names.includes('dataset.json');
    if (!hasLabels && names.every((n) => ARCHIVE_NAME.test(n))) {
      throw new CliError(`${path}: ${names.length} images named as 'edm dataset' writes them but no dataset.json: ` +
        `an incomplete dataset (its writing was interrupted or failed); make it again with 'edm dataset'`);
    }
    const chosen = maxImages === undefined ? names : names.slice(0, maxImages);
    const labelMap = hasLabels ? parseLabels(files.read('dataset.json'), path) : null;
    const images: Image8[] = [];
    for (const n of chosen) {
      const img = decodeImage(files.read(n), `${path}: ${n}`);
      images.push(transform ? transform(img) : img);
      yield images.length - 1;
    }
    let labels: (number | null)[] | null = null;
    if (labelMap) {
      labels = chosen.map((n) => {
        const l = labelMap.get(n);
        if (l === undefined) throw new CliError(`${path}: dataset.json has no label for ${n}`);
        return l;
      });
    }
    return datasetFromImages(path, images, labels, chosen);
  } finally {
    files.close();
  }
}

/** {@link readDatasetSteps} run to the end. */
export function readDatasetFiles(path: string, maxImages?: number, transform?: (img: Image8) => Image8): Dataset {
  return drainSteps(readDatasetSteps(path, maxImages, transform));
}

/** Options of {@link writeDatasetSteps}. */
export interface WriteDatasetOptions {
  /** Replace an existing zip, or an existing folder that is not empty. */
  overwrite?: boolean;
}

const isZipDest = (dest: string) => /\.zip$/i.test(dest);

/**
 * Checks a dataset destination before any work: a zip must not exist (or `overwrite`), a folder must not
 * exist, be empty (or `overwrite`); its folder must be writable. Errors name `--dest`.
 */
export function checkDatasetDest(dest: string, options: WriteDatasetOptions = {}): void {
  const st = lstatSync(dest, { throwIfNoEntry: false });
  if (isZipDest(dest)) {
    if (st?.isDirectory()) throw new CliError(`--dest '${dest}' is a folder; a .zip destination must be a file`);
    if (st && !options.overwrite) throw new CliError(`--dest '${dest}' already exists; add --overwrite to replace it`);
    checkOutputFile(dest, '--dest');
    return;
  }
  if (st && !st.isDirectory()) throw new CliError(`--dest '${dest}' already exists and is not a folder`);
  if (st && !options.overwrite && readdirSync(dest).length > 0) {
    throw new CliError(`--dest '${dest}' already exists and is not an empty folder; add --overwrite to replace it`);
  }
  checkOutputFolder(dirname(dest), '--dest');
}

/**
 * Writes a dataset as a folder or (when `dest` ends with .zip) a stored zip, in the reference layout,
 * yielding after each image. Both appear only complete: the zip is written atomically, the folder is built
 * under a temporary name next to `dest` and renamed into place (replacing an empty folder, or with
 * `overwrite` any existing one). If stopped or failed, the temporary folder is removed.
 */
export function* writeDatasetSteps(ds: Dataset, dest: string, options: WriteDatasetOptions = {}): Steps<void> {
  checkDatasetDest(dest, options);
  const labelsJson = (names: string[]) =>
    JSON.stringify({ labels: ds.labels ? names.map((n, i) => [n, ds.labels![i]]) : null });
  const names = Array.from({ length: ds.count }, (_, i) => archiveName(i));
  if (isZipDest(dest)) {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < ds.count; i++) {
      files[names[i]!] = encodePng(datasetImage(ds, i));
      yield i;
    }
    files['dataset.json'] = new TextEncoder().encode(labelsJson(names));
    writeFileAtomic(dest, zipSync(files, { level: 0 }));
    return;
  }
  const tmp = tempPathFor(dest);
  const forget = removeOnExit(tmp);
  let done = false;
  try {
    const write = (name: string, data: Uint8Array | string) => {
      const file = join(tmp, name);
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, data);
      } catch (e) {
        throw fsError(e, join(dest, name));
      }
    };
    for (let i = 0; i < ds.count; i++) {
      write(names[i]!, encodePng(datasetImage(ds, i)));
      yield i;
    }
    write('dataset.json', labelsJson(names));
    replaceWithFolder(tmp, dest);
    done = true;
  } finally {
    if (!done) rmSync(tmp, { recursive: true, force: true });
    forget();
  }
}

/** Renames the complete folder `tmp` to `dest`, replacing what is there (moved aside first, then removed). */
function replaceWithFolder(tmp: string, dest: string): void {
  try {
    if (!existsSync(dest)) {
      renameSync(tmp, dest);
      return;
    }
    // Kept (not removed at exit) until the new one is in place: a crash in between leaves it, never loses it.
    const old = tempPathFor(dest);
    renameSync(dest, old);
    try {
      renameSync(tmp, dest);
    } catch (e) {
      renameSync(old, dest); // put the previous one back
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    throw fsError(e, dest);
  }
}

/** {@link writeDatasetSteps} run to the end, calling `onImage` after each image. */
export function writeDatasetFiles(ds: Dataset, dest: string, onImage?: (i: number) => void, options: WriteDatasetOptions = {}): void {
  drainSteps(writeDatasetSteps(ds, dest, options), onImage);
}

/**
 * Adds labels to the dataset.json of an image folder (made when missing; entries of the same file replaced), so
 * the folder reads as a labelled dataset (`edm metrics --images DIR --metrics accuracy`, `edm train --data DIR`).
 */
export function mergeFolderLabels(dir: string, labels: ReadonlyMap<string, number>): void {
  const file = join(dir, 'dataset.json');
  const all = existsSync(file) ? parseLabels(readFileSync(file), dir) ?? new Map<string, number>() : new Map<string, number>();
  for (const [name, label] of labels) all.set(name, label);
  const sorted = [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  writeFileAtomic(file, JSON.stringify({ labels: sorted }) + '\n');
}
