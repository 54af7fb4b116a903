// Progress output. On a terminal: one bar redrawn in place by cli-progress (done/total, fields such as loss,
// the rate and the ETA over a moving window); lines logged meanwhile (`line()`, and the command's `ctx.log`)
// appear above the bar. Not on a terminal (a log file, CI): no bar; `line()` prints plain lines.
import { MultiBar, type SingleBar } from 'cli-progress';

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Options of a progress display. */
export interface ProgressOptions {
  /** Amount of work at 100% (e.g. images, kimg). */
  total: number;
  /** Label before the bar. */
  label: string;
  /** Where it draws (stderr). */
  stream: NodeJS.WritableStream;
  /** Draw a bar in place (a terminal); otherwise only `line()` output appears. */
  isTTY: boolean;
  /** Starting amount (a resumed run). */
  start?: number;
  /** Formats amounts (default: the number as is). */
  format?: (v: number) => string;
  /** Formats the rate (amount per second), e.g. `12.3 img/s`; no rate shown without it. */
  rate?: (perSecond: number) => string;
}

/** The bars drawing now (so log lines go above them, and a finished command never leaves one running). */
const active = new Set<Progress>();

/** A progress bar on a terminal, plain lines elsewhere. */
export class Progress {
  private readonly bars?: MultiBar;
  private readonly bar?: SingleBar;
  private readonly t0 = performance.now();
  private readonly start: number;

  constructor(private readonly opts: ProgressOptions) {
    this.start = opts.start ?? 0;
    if (!opts.isTTY) return;
    this.bars = new MultiBar({
      stream: opts.stream as NodeJS.WriteStream,
      format: `${opts.label} [{bar}] {percentage}% {amount}{fields}{rate}  ETA {eta_formatted}`,
      formatTime: (t: number) => formatDuration(t),
      barsize: 24,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      fps: 10,
      etaBuffer: 50,
      forceRedraw: true, // redraw after lines logged above the bar
      linewrap: true, // cut the line at the terminal's width instead of switching wrapping off
      hideCursor: false,
      gracefulExit: false, // Ctrl-C is the command's (src/command/program.ts)
    });
    this.bar = this.bars.create(opts.total, this.start, this.payload(this.start, {}));
    active.add(this);
  }

  private payload(done: number, fields: Record<string, string>): Record<string, string> {
    const fmt = this.opts.format ?? String;
    const elapsed = (performance.now() - this.t0) / 1000;
    const rate = elapsed > 0 ? (done - this.start) / elapsed : NaN;
    return {
      amount: `${fmt(done)}/${fmt(this.opts.total)}`,
      fields: Object.entries(fields).map(([k, v]) => `  ${k} ${v}`).join(''),
      rate: this.opts.rate && Number.isFinite(rate) && rate > 0 ? `  ${this.opts.rate(rate)}` : '',
    };
  }

  /** Sets the amount done and the fields shown after the bar (cli-progress redraws at most 10 times a second). */
  update(done: number, fields: Record<string, string> = {}, force = false): void {
    if (!this.bar) return;
    this.bar.update(done, this.payload(done, fields));
    if (force) this.bars!.update();
  }

  /** Prints a line above the bar (or just the line when not a terminal). */
  line(text: string): void {
    if (!this.bars) {
      this.opts.stream.write(text + '\n');
      return;
    }
    this.bars.log(text + '\n');
    this.bars.update(); // now, so the line keeps its place among other output
  }

  /** Whether this bar draws on `stream`. */
  drawsOn(stream: NodeJS.WritableStream): boolean {
    return this.opts.stream === stream;
  }

  /** Ends the bar (leaves the last state on screen). */
  finish(): void {
    if (!this.bars || !active.has(this)) return;
    active.delete(this);
    this.bars.update();
    this.bars.stop();
  }
}

/** Writes a log line to `stream`: above a bar drawing there, else as is. */
export function logLine(stream: NodeJS.WritableStream, text: string): void {
  const bar = [...active].find((p) => p.drawsOn(stream));
  if (bar) bar.line(text);
  else stream.write(text + '\n');
}

/** Ends every bar still drawing (a command that failed or returned without finishing its bar). */
export function stopAllProgress(): void {
  for (const p of [...active]) p.finish();
}
