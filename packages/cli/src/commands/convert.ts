// edm convert: an NVlabs EDM network snapshot (network-snapshot-*.pkl, or an official edm-*.pkl) -> our
// safetensors checkpoint, with no Python and nothing from the pickle executed (@edm/models convert).
// Streams: the pickle is walked through a 1 MiB window, then each tensor is read from the input and written
// to a temporary file next to the output, which is renamed over the output once complete.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  convertSnapshotTo, PickleError, resolveConfig, SnapshotError, type ConvertProgress, type ConvertSummary,
} from '@edm/models';
import { defineCommand } from '../command/define';
import { CliError, errorMessage, InterruptedError, UsageError } from '../command/errors';
import { str } from '../command/options';
import { removeOnExit, tempPathFor } from '../io/atomic';
import { errorCode, fsError, fsErrorMessage } from '../io/fs-errors';
import { checkOutputFile } from '../io/output-check';
import { fileSource } from '../io/read-file';
import { Progress } from '../io/progress';
import { yieldToEventLoop } from '../util/yield';

/** Bytes -> "3.40 MiB" (as `edm info` prints sizes). */
function formatBytes(n: number): string {
  const units: [number, string][] = [[2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(2)} ${unit}`;
  return `${n} B`;
}

/** 1234567 -> "1.23 M" parameters. */
function formatCount(n: number): string {
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(2)} ${unit}`;
  return String(n);
}

/** Options of {@link convertFile}. */
export interface ConvertFileOptions {
  /** Snapshot entry to convert (default `'ema'`). */
  key?: string;
  /** Progress of reading and writing. */
  onProgress?: (p: ConvertProgress) => void;
  /** Stops the conversion (the temporary file is removed). */
  signal?: AbortSignal;
  /** Called once the input and the output's folder are checked, before the input is read. */
  onStart?: () => void;
}

/** Bytes written between two turns of the event loop (when Ctrl-C / SIGTERM can be seen). */
const YIELD_EVERY = 16 << 20;

/**
 * Converts the snapshot `input` to the checkpoint `output` (Node). Writes to a temporary file in the
 * output's folder and renames it over `output` only when complete: on any error, on `signal` (Ctrl-C) and
 * at exit, nothing is left behind. The output's folder is checked (exists, writable) before the input is
 * read. Converter errors become {@link CliError}s with the converter's message (it names the input file).
 */
export async function convertFile(input: string, output: string, options: ConvertFileOptions = {}): Promise<ConvertSummary> {
  let stat;
  try {
    stat = statSync(input);
  } catch (e) {
    throw new CliError(errorCode(e) === 'ENOENT' ? `${input}: no such file` : fsErrorMessage(e, input));
  }
  if (!stat.isFile()) throw new CliError(`${input}: not a file`);
  if (resolve(input) === resolve(output)) throw new UsageError('the output must differ from the input');
  try {
    if (statSync(output).isDirectory()) throw new UsageError(`${output}: is a folder; give the checkpoint's file name`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
  const dir = dirname(output);
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
  } catch {
    throw new CliError(`${output}: folder ${dir} does not exist`);
  }
  checkOutputFile(output, 'output');
  options.onStart?.();
  const tmp = tempPathFor(output);
  const inFd = openSync(input, 'r');
  let outFd: number | undefined;
  const forget = removeOnExit(tmp);
  const interrupted = () => new InterruptedError('interrupted; no checkpoint written (the temporary file was removed)');
  try {
    outFd = openSync(tmp, 'wx');
    const fd = outFd;
    let sinceYield = 0;
    const summary = await convertSnapshotTo(fileSource(inFd, input), async (chunk) => {
      // The writes are synchronous: let the event loop run now and then, or a Ctrl-C is never seen.
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      if (options.signal?.aborted) throw interrupted();
      let off = 0;
      while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
      sinceYield += chunk.byteLength;
    }, {
      label: input,
      ...(options.key !== undefined && { key: options.key }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
    await yieldToEventLoop();
    if (options.signal?.aborted) throw interrupted();
    fsyncSync(fd);
    closeSync(fd);
    outFd = undefined;
    renameSync(tmp, output);
    return summary;
  } catch (e) {
    if (outFd !== undefined) closeSync(outFd);
    rmSync(tmp, { force: true });
    if (e instanceof PickleError || e instanceof SnapshotError) throw new CliError(e.message);
    throw fsError(e, output);
  } finally {
    forget();
    closeSync(inFd);
  }
}

export default defineCommand({
  name: 'convert',
  summary: 'Convert an NVlabs EDM network snapshot (.pkl) into a checkpoint, without Python.',
  description: `Reads the pickle with a reader that executes nothing (only the GLOBALs an EDM snapshot uses are
accepted) and writes the chosen network's constructor config (edm.network, training-only options such as
dropout included) and its state_dict tensors (F32, PyTorch names and layouts).
Examples:
  edm convert edm-cifar10-32x32-cond-vp.pkl cifar10-vp.safetensors
  edm convert network-snapshot-200000.pkl net.safetensors --key ema
  edm generate --net cifar10-vp.safetensors --seeds 0-63 --grid cifar10.png`,
  positionals: [
    { name: 'input', help: 'The snapshot pickle (network-snapshot-*.pkl or an official edm-*.pkl)' },
    { name: 'output', help: 'The checkpoint to write (.safetensors); replaced if it exists' },
  ],
  options: {
    key: str({ help: "Entry of the snapshot to convert ('ema': the EMA weights NVlabs samples from)", default: 'ema', metavar: 'NAME' }),
  },
  async run({ options, positionals }, ctx) {
    const input = positionals.input!;
    const output = positionals.output!;
    let bar: Progress | undefined;
    let phase: ConvertProgress['phase'] | undefined;
    let total = 0;
    const endBar = (): void => {
      bar?.update(total, {}, true);
      bar?.finish();
    };
    const size = statSafe(input);
    const summary = await convertFile(input, output, {
      key: options.key,
      onStart: () => ctx.log(`converting ${input}${size === undefined ? '' : ` (${formatBytes(size)})`}, entry '${options.key}'`),
      signal: ctx.signal,
      onProgress: (p) => {
        if (p.phase !== phase) {
          endBar();
          phase = p.phase;
          total = p.total;
          bar = new Progress({
            total, label: p.phase === 'read' ? 'reading' : 'writing', stream: ctx.progressStream, isTTY: ctx.isTTY,
            format: formatBytes, rate: (r) => `${formatBytes(r)}/s`,
          });
        }
        bar!.update(p.done);
      },
    });
    endBar();
    if (summary.skipped.length) {
      const names = summary.skipped.slice(0, 5).map((n) => `'${n.length > 40 ? `${n.slice(0, 40)}...` : n}'`).join(', ');
      ctx.log(`not converted: ${summary.skipped.length} other snapshot entr${summary.skipped.length === 1 ? 'y' : 'ies'} (${names}` +
        `${summary.skipped.length > 5 ? ', ...' : ''}): only the network, loss_fn, augment_pipe and dataset_kwargs are kept`);
    }
    try {
      resolveConfig(summary.network);
      if (summary.mismatch) throw new Error(summary.mismatch);
    } catch (e) {
      ctx.log(`warning: ${output} was written, but this version of @edm/models cannot load it: ${errorMessage(e)}`);
    }
    const backbone = summary.network.kwargs['model_type'];
    ctx.out(
      `${output}: ${summary.network.class_name}${typeof backbone === 'string' ? ` + ${backbone}` : ''}, ` +
      `${summary.tensorCount} tensors, ${formatCount(summary.elementCount)} parameters, ${formatBytes(summary.byteLength)}`,
    );
  },
});

function statSafe(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
