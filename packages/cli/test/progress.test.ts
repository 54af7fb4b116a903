// The progress display: a cli-progress bar (amount, fields, rate, ETA) on a terminal with log lines above it,
// plain lines and no bar elsewhere, and no bar left drawing once a command ends.
import { describe, expect, it } from 'vitest';
import { Progress, logLine, stopAllProgress } from '../src/io/progress';

/** A stream that records what is written; a terminal of 120 columns when `tty`. */
function fakeStream(tty: boolean) {
  const stream = {
    isTTY: tty,
    columns: 120,
    text: '',
    write(s: string, cb?: () => void) {
      stream.text += s;
      cb?.();
      return true;
    },
  };
  return stream;
}

/** The text without terminal control sequences. */
const plain = (s: string) => s.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '');

describe('Progress', () => {
  it('draws nothing but the lines when not on a terminal', () => {
    const s = fakeStream(false);
    const p = new Progress({ total: 10, label: 'generate', stream: s as unknown as NodeJS.WritableStream, isTTY: false, rate: (r) => `${r} img/s` });
    p.update(5, { step: '1/2' }, true);
    p.line('generated 5/10 images');
    logLine(s as unknown as NodeJS.WritableStream, 'a log line');
    p.finish();
    expect(s.text).toBe('generated 5/10 images\na log line\n');
  });

  it('draws a bar with the amount, fields, rate and ETA on a terminal, lines above it', async () => {
    const s = fakeStream(true);
    const stream = s as unknown as NodeJS.WritableStream;
    const p = new Progress({ total: 64, label: 'generate', stream, isTTY: true, rate: (r) => `${r.toFixed(1)} img/s` });
    await new Promise((r) => setTimeout(r, 30));
    p.update(32, { step: '3/6' }, true);
    const bar = plain(s.text).split(/[\r\n]/).filter((l) => l.startsWith('generate [')).pop()!;
    expect(bar).toMatch(/^generate \[#{12}-{12}\] 50% 32\/64  step 3\/6  [\d.]+ img\/s  ETA \d+s$/);
    logLine(stream, 'snapshot written');
    expect(plain(s.text)).toContain('snapshot written\n');
    const before = s.text.length;
    stopAllProgress(); // as the program does when a command ends
    expect(plain(s.text.slice(before))).toMatch(/generate \[.*\n$/);
    const after = s.text.length;
    p.finish(); // already stopped: nothing more
    p.update(40);
    expect(s.text.length).toBe(after);
  });
});
