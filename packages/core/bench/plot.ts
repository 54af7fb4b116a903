// A small rasterizer for the benchmarks' plots: panels with grids (decades on log axes, round steps on linear
// ones), tick labels, polylines with markers and a legend, written as PNG with pngjs. No canvas dependency.
import pngjs from 'pngjs';
import { GLYPH_H, GLYPH_W, glyph } from './font';

type RGB = readonly [number, number, number];

/** One plotted series: (x, y) points with x, y > 0. */
export interface Series {
  name: string;
  color: RGB;
  points: [number, number][];
  /** Dashed line (for example the stochastic samplers). */
  dashed?: boolean;
}

/** One panel: log-log unless an axis says linear. */
export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** x ticks (data units). */
  xTicks: number[];
  /** Optional horizontal reference line (for example a noise floor), drawn grey and dotted. */
  floor?: { y: number; label: string };
  /** Axis scales (default log); a linear axis takes any values, a log axis only positive ones. */
  xScale?: 'log' | 'linear';
  yScale?: 'log' | 'linear';
}

class Canvas {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8Array(width * height * 4).fill(255);
  }
  blend(x: number, y: number, c: RGB, a = 1): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || a <= 0) return;
    const k = (y * this.width + x) * 4;
    for (let j = 0; j < 3; j++) this.data[k + j] = Math.round(this.data[k + j]! * (1 - a) + c[j]! * a);
  }
  rect(x0: number, y0: number, w: number, h: number, c: RGB): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.blend(x, y, c);
  }
  /** Anti-aliased thick line (distance-based coverage), optionally dashed. */
  line(x0: number, y0: number, x1: number, y1: number, c: RGB, width = 2, dash = 0): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len === 0) return;
    const r = width / 2;
    const minX = Math.floor(Math.min(x0, x1) - r - 1);
    const maxX = Math.ceil(Math.max(x0, x1) + r + 1);
    const minY = Math.floor(Math.min(y0, y1) - r - 1);
    const maxY = Math.ceil(Math.max(y0, y1) + r + 1);
    const ux = (x1 - x0) / len;
    const uy = (y1 - y0) / len;
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const t = (x - x0) * ux + (y - y0) * uy;
        if (t < -r || t > len + r) continue;
        if (dash > 0 && Math.floor(Math.max(t, 0) / dash) % 2 === 1) continue;
        const tc = Math.max(0, Math.min(len, t));
        const d = Math.hypot(x - (x0 + ux * tc), y - (y0 + uy * tc));
        this.blend(x, y, c, Math.max(0, Math.min(1, r + 0.5 - d)));
      }
    }
  }
  disc(cx: number, cy: number, radius: number, c: RGB): void {
    for (let y = Math.floor(cy - radius - 1); y <= cy + radius + 1; y++) {
      for (let x = Math.floor(cx - radius - 1); x <= cx + radius + 1; x++) {
        this.blend(x, y, c, Math.max(0, Math.min(1, radius + 0.5 - Math.hypot(x - cx, y - cy))));
      }
    }
  }
  text(x: number, y: number, s: string, c: RGB, scale = 2, vertical = false): void {
    [...s].forEach((ch, i) => {
      glyph(ch).forEach((row, gy) => [...row].forEach((p, gx) => {
        if (p !== '#') return;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++) {
            const px = gx * scale + sx + i * GLYPH_W * scale;
            const py = gy * scale + sy;
            if (vertical) this.blend(x + py, y - px, c);
            else this.blend(x + px, y + py, c);
          }
        }
      }));
    });
  }
}

/** Text width in pixels at a scale. */
const textWidth = (s: string, scale = 2) => s.length * GLYPH_W * scale;

function formatTick(v: number): string {
  const e = Math.round(Math.log10(v));
  return e >= 0 && e <= 3 ? String(10 ** e) : `1E${e}`;
}

/** About `count` round tick values (1, 2 or 5 x 10^k apart) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  // From the tick at or below lo to the tick at or above hi, so every value lies inside the axis.
  const [k0, k1] = [Math.floor(lo / step + 1e-9), Math.ceil(hi / step - 1e-9)];
  for (let k = k0; k <= Math.max(k1, k0 + 1); k++) ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}

/** Maps data to pixels along one axis, and the grid values to draw. */
function axis(values: number[], scale: 'log' | 'linear', from: number, to: number, pad: boolean) {
  if (scale === 'linear') {
    const ticks = linearTicks(Math.min(...values), Math.max(...values));
    const [a, b] = [ticks[0]!, ticks.at(-1)!];
    return { map: (v: number) => from + ((v - a) / (b - a || 1)) * (to - from), grid: ticks, label: (v: number) => String(v) };
  }
  const l0 = pad ? Math.log10(Math.min(...values) * 0.85) : Math.floor(Math.log10(Math.min(...values)));
  const l1 = pad ? Math.log10(Math.max(...values) * 1.15) : Math.ceil(Math.log10(Math.max(...values)));
  const grid: number[] = [];
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) if (e >= l0 - 1e-9 && e <= l1 + 1e-9) grid.push(10 ** e);
  return { map: (v: number) => from + ((Math.log10(v) - l0) / (l1 - l0 || 1)) * (to - from), grid, label: formatTick };
}

/** Renders panels in a grid (cols per row) to a PNG buffer. */
export function renderPanels(panels: Panel[], cols: number, panelW = 780, panelH = 560): Buffer {
  const rows = Math.ceil(panels.length / cols);
  const cv = new Canvas(cols * panelW, rows * panelH);
  const black: RGB = [20, 20, 20];
  const grid: RGB = [225, 225, 225];
  panels.forEach((panel, p) => {
    const ox = (p % cols) * panelW;
    const oy = Math.floor(p / cols) * panelH;
    const left = ox + 90;
    const top = oy + 40;
    const right = ox + panelW - 250;
    const bottom = oy + panelH - 60;
    const xLog = (panel.xScale ?? 'log') === 'log';
    const yLog = (panel.yScale ?? 'log') === 'log';
    const shown = ([x, y]: [number, number]) => (!xLog || x > 0) && (!yLog || y > 0);
    const pts = panel.series.flatMap((s) => s.points).filter(shown);
    // A linear x axis spans the panel's ticks too, so panels that share ticks share the axis.
    const xs = pts.map(([x]) => x).concat(xLog ? [] : panel.xTicks);
    const ys = pts.map(([, y]) => y).concat(panel.floor ? [panel.floor.y] : []);
    const xAxis = axis(xs, xLog ? 'log' : 'linear', left, right, true);
    const yAxis = axis(ys, yLog ? 'log' : 'linear', bottom, top, false);
    const X = xAxis.map;
    const Y = yAxis.map;
    for (const v of yAxis.grid) {
      cv.line(left, Y(v), right, Y(v), grid, 1);
      const label = yAxis.label(v);
      cv.text(left - 8 - textWidth(label), Y(v) - 7, label, black);
    }
    for (const t of panel.xTicks) {
      cv.line(X(t), top, X(t), bottom, grid, 1);
      cv.text(X(t) - textWidth(String(t)) / 2, bottom + 8, String(t), black);
    }
    cv.line(left, bottom, right, bottom, black, 1.5);
    cv.line(left, top, left, bottom, black, 1.5);
    cv.line(right, top, right, bottom, black, 1);
    cv.line(left, top, right, top, black, 1);
    cv.text(left, oy + 12, panel.title, black);
    cv.text((left + right) / 2 - textWidth(panel.xLabel) / 2, bottom + 30, panel.xLabel, black);
    cv.text(ox + 12, (top + bottom) / 2 + textWidth(panel.yLabel) / 2, panel.yLabel, black, 2, true);
    if (panel.floor) {
      const yf = Y(panel.floor.y);
      cv.line(left, yf, right, yf, [150, 150, 150], 1.5, 6);
      cv.text(left + 6, yf - 18, panel.floor.label, [120, 120, 120]);
    }
    panel.series.forEach((s, k) => {
      const ok = s.points.filter(shown);
      for (let i = 1; i < ok.length; i++) {
        cv.line(X(ok[i - 1]![0]), Y(ok[i - 1]![1]), X(ok[i]![0]), Y(ok[i]![1]), s.color, 2.2, s.dashed ? 7 : 0);
      }
      ok.forEach(([x, y]) => cv.disc(X(x), Y(y), 3.2, s.color));
      const ly = top + 6 + k * 22;
      cv.line(right + 12, ly + 6, right + 36, ly + 6, s.color, 2.5, s.dashed ? 5 : 0);
      cv.disc(right + 24, ly + 6, 3.2, s.color);
      cv.text(right + 42, ly, s.name, black);
    });
  });
  const png = new pngjs.PNG({ width: cv.width, height: cv.height });
  png.data = Buffer.from(cv.data);
  return pngjs.PNG.sync.write(png);
}
