// The engine (tfjs backend) for a command: @edm/backend-node picks the best one, or the one named by
// --backend / EDM_BACKEND, and says why it skipped the others.
import { useNodeBackend, type NodeBackendReport } from '@edm/backend-node';
import { choice } from '../command/options';
import type { CommandContext } from '../command/define';
import { CliError, errorMessage } from '../command/errors';

/** Engine names accepted by --backend. */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
/** An engine name. */
export type BackendName = (typeof BACKENDS)[number];

/** The --backend option shared by the commands that compute. */
export const backendOption = () =>
  choice(BACKENDS, { help: 'Engine to compute on', metavar: 'NAME', showDefault: 'EDM_BACKEND, else the best available' });

/**
 * Registers the engine and logs which one and why earlier ones were skipped. An engine named with --backend
 * must start (strict); otherwise @edm/backend-node falls back along its order. On wasm the commands that
 * compute use one wasm thread per core (`threads`: 'auto'; bit-identical results) unless EDM_WASM_THREADS
 * says otherwise. Returns the engine name.
 */
export async function setupBackend(name: BackendName | undefined, ctx: CommandContext, quiet = false,
  threads: 'auto' | 1 = 'auto'): Promise<string> {
  let report: NodeBackendReport;
  const threadOption = process.env.EDM_WASM_THREADS?.trim() ? {} : { threads };
  try {
    report = await useNodeBackend(name ? { backend: name, strict: true, ...threadOption } : threadOption);
  } catch (e) {
    throw new CliError(`could not start the engine${name ? ` '${name}' (--backend)` : ''}: ${errorMessage(e)}`);
  }
  if (!quiet) {
    const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    const threadCount = report.threads && report.threads > 1
      ? `, ${report.threads} threads${report.threadKernels ? ` (${report.threadKernels} kernels)` : ''}` : '';
    ctx.log(`engine: ${report.engine}${threadCount}${skipped ? ` (skipped ${skipped})` : ''}`);
  }
  return report.engine;
}
