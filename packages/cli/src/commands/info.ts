// edm info: what a checkpoint holds — its network config (class and kwargs, as the reference's constructor),
// image size, classes, noise range, parameter count and file size. The whole file is validated by loading it.
import { defineCommand } from '../command/define';
import { CliError, UsageError } from '../command/errors';
import { bool, str } from '../command/options';
import { backendOption, setupBackend } from '../net/backend';
import { loadCheckpoint, readCheckpointHeader } from '../net/checkpoint';
import { DEFAULT_MODEL_FILE, findDefaultModel } from '../net/default-model';

/** 1234567 -> "1.23 M". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Bytes -> "3.4 MB". */
export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Metadata entries `edm info` prints (a file may hold any number). */
const MAX_METADATA_LINES = 20;

export default defineCommand({
  name: 'info',
  summary: "Print a checkpoint's network config, parameter count and size (and validate it).",
  positionals: [{ name: 'checkpoint', help: `A .safetensors checkpoint (default: the shipped model)`, optional: true }],
  options: {
    net: str({ help: 'The checkpoint (same as the positional argument)', metavar: 'FILE', showDefault: DEFAULT_MODEL_FILE }),
    json: bool({ help: 'Print the information as JSON', default: false }),
    backend: backendOption(),
  },
  async run({ options, positionals }, ctx) {
    if (positionals.checkpoint && options.net) throw new UsageError('give the checkpoint either as an argument or as --net, not both');
    const path = positionals.checkpoint ?? options.net ?? findDefaultModel();
    if (!path) throw new CliError(`no checkpoint given and the shipped model (models/${DEFAULT_MODEL_FILE}) is not installed`);
    const header = readCheckpointHeader(path); // rejects a wrong file before the engine starts or the data is read
    await setupBackend(options.backend, ctx, true, 1);
    const net = await loadCheckpoint(path);
    try {
      let params = 0;
      let buffers = 0;
      const trainable = new Set(net.parameters().keys());
      for (const [name, t] of header.tensors) {
        const n = t.shape.reduce((a, b) => a * b, 1);
        if (trainable.has(name)) params += n;
        else buffers += n;
      }
      const config = net.config;
      const info = {
        file: path,
        bytes: header.byteLength,
        format: header.metadata['edm.format'] ?? null,
        class_name: config.class_name,
        kwargs: config.kwargs,
        img_resolution: net.imgResolution,
        img_channels: net.imgChannels,
        label_dim: net.labelDim,
        sigma_min: net.sigmaMin,
        sigma_max: net.sigmaMax,
        sigma_data: net.sigmaData ?? null,
        parameters: params,
        buffer_values: buffers,
        tensors: header.tensors.size,
        metadata: Object.fromEntries(Object.entries(header.metadata).filter(([k]) => k !== 'edm.network')),
      };
      if (options.json) {
        ctx.out(JSON.stringify(info, null, 2));
        return;
      }
      ctx.out(`${path}`);
      ctx.out(`  size:        ${formatBytes(info.bytes)} (${info.tensors} tensors, edm.format ${info.format ?? '?'})`);
      // EDM2 networks have no model_type: their backbone is always NVlabs/edm2's U-Net.
      ctx.out(`  network:     ${info.class_name} (${String(config.kwargs.model_type ?? net.model.className)})`);
      ctx.out(`  images:      ${info.img_resolution}x${info.img_resolution}, ${info.img_channels} channel(s)`);
      ctx.out(`  classes:     ${info.label_dim === 0 ? 'none (unconditional)' : info.label_dim}`);
      ctx.out(`  sigma:       [${info.sigma_min}, ${info.sigma_max}]${info.sigma_data !== null ? `, sigma_data ${info.sigma_data}` : ''}`);
      ctx.out(`  parameters:  ${formatCount(params)} (${params}), + ${buffers} buffer values`);
      ctx.out(`  kwargs:      ${JSON.stringify(config.kwargs)}`);
      // Metadata come from the file: a few lines at most, whatever it holds.
      const shown = Object.entries(info.metadata).filter(([k]) => k !== 'edm.format');
      const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}...` : text);
      for (const [k, v] of shown.slice(0, MAX_METADATA_LINES)) ctx.out(`  ${cut(k, 80)}: ${cut(v, 200)}`);
      if (shown.length > MAX_METADATA_LINES) ctx.out(`  ... and ${shown.length - MAX_METADATA_LINES} more metadata entries (--json lists them)`);
    } finally {
      net.dispose();
    }
  },
});
