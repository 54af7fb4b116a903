// The README's first promise, as a new user meets it: copy this checkout as a fresh clone would have it
// (tracked and untracked-but-not-ignored files: no node_modules, no dist, no bin links), then run the lines of
// the README's "Main job" block verbatim in it. Catches what a working tree hides (an old bin link, build
// output the install relies on).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The shell lines of the README section `## <heading>`'s first ```sh block. */
export function readmeBlock(heading: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith(heading));
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error(`README.md has no \`## ${heading}\` section with a \`\`\`sh block`);
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

/** Copies the files a fresh clone of this checkout would have into a new folder. */
function freshCopy(): string {
  const dest = join(mkdtempSync(join(tmpdir(), 'edm-fresh-')), 'x');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString().split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(root, f))) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    copyFileSync(join(root, f), join(dest, f));
  }
  return dest;
}

describe('README main job on a fresh clone', () => {
  let dir: string | undefined;
  afterAll(() => { if (dir) rmSync(dirname(dir), { recursive: true, force: true }); });

  it('runs verbatim and writes the grid', () => {
    const lines = readmeBlock('Main job');
    expect(lines.some((l) => l.startsWith('npx edm generate'))).toBe(true);
    dir = freshCopy();
    expect(existsSync(join(dir, 'node_modules')) || existsSync(join(dir, 'packages/cli/dist'))).toBe(false);
    for (const line of lines) {
      const r = spawnSync('bash', ['-c', line], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(r.status, `\`${line}\` failed:\n${(r.stdout + r.stderr).slice(-3000)}`).toBe(0);
    }
    const grid = line(lines).match(/--grid\s+(\S+)/)![1]!;
    const png = PNG.sync.read(readFileSync(join(dir, grid)));
    expect(png.width).toBeGreaterThan(28 * 7);
    expect(png.height).toBeGreaterThan(28 * 7);
  }, 600_000);
});

/** The README's `npx edm generate` line. */
function line(lines: string[]): string {
  return lines.find((l) => l.startsWith('npx edm generate'))!;
}
