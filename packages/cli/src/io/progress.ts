// Progress output. On a terminal: one bar redrawn in place (done/total, fields such as loss and images/s,
// ETA). Not on a terminal (a log file, CI): no bar; the command's `line()` calls print plain lines instead.

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
}

/** A progress bar on a terminal, plain lines elsewhere. */
export class Progress {
  private readonly t0 = performance.now();
  private readonly start: number;
  private lastDraw = 0;
  private drawn = false;
  private current: number;
  private fields = '';

  constructor(private readonly opts: ProgressOptions) {
    this.start = opts.start ?? 0;
    this.current = this.start;
  }

  /** Sets the amount done and the fields shown after the bar (redraws at most 10 times a second). */
  update(done: number, fields: Record<string, string> = {}, force = false): void {
    this.current = done;
    this.fields = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
    const now = performance.now();
    if (this.opts.isTTY && (force || now - this.lastDraw > 100)) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** Seconds left at the rate so far. */
  eta(): number {
    const elapsed = (performance.now() - this.t0) / 1000;
    const rate = (this.current - this.start) / elapsed;
    return rate > 0 ? (this.opts.total - this.current) / rate : NaN;
  }

  /** Prints a line above the bar (or just the line when not a terminal). */
  line(text: string): void {
    if (this.opts.isTTY && this.drawn) this.opts.stream.write('\r\x1b[2K');
    this.opts.stream.write(text + '\n');
    if (this.opts.isTTY && this.drawn) this.draw();
  }

  /** Ends the bar (leaves the last state on screen). */
  finish(): void {
    if (this.opts.isTTY && this.drawn) {
      this.draw();
      this.opts.stream.write('\n');
      this.drawn = false;
    }
  }

  private draw(): void {
    const { total, label } = this.opts;
    const fmt = this.opts.format ?? String;
    const frac = total > 0 ? Math.min(1, Math.max(0, this.current / total)) : 1;
    const width = 24;
    const full = Math.round(frac * width);
    const bar = '#'.repeat(full) + '-'.repeat(width - full);
    const text = `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${fmt(this.current)}/${fmt(total)}  ${this.fields}  ETA ${formatDuration(this.eta())}`;
    const cols = (this.opts.stream as NodeJS.WriteStream).columns ?? 120;
    this.opts.stream.write('\r\x1b[2K' + text.slice(0, Math.max(20, cols - 1)));
    this.drawn = true;
  }
}
