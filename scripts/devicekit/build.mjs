// Builds the device kit in .devicekit (git-ignored; run from the repo root: node scripts/devicekit/build.mjs).
// See scripts/devicekit/README.md.
// gpu-check.mjs: one esbuild bundle of packages/bench/src/gpu-check.ts (workspace sources, tfjs ESM),
// with `webgpu` replaced by the package's own index.js loading dawn.node from $EDM_DAWN_NODE (run.sh unpacks it).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';

const kit = '.devicekit';
mkdirSync(`${kit}/src`, { recursive: true });
copyFileSync('scripts/devicekit/run.sh', `${kit}/run.sh`);
const index = readFileSync('node_modules/webgpu/index.js', 'utf8');
const line = "const dawnNodePath = join(__dirname, 'dist', `${process.platform}-${arch}`, 'dawn.node');";
if (!index.includes(line)) throw new Error('webgpu/index.js changed: dawn.node path line not found');
const shim = index.replace(line, "const dawnNodePath = process.env.EDM_DAWN_NODE || join(__dirname, 'dawn.node');");
writeFileSync(`${kit}/src/webgpu-shim.mjs`, `// generated from node_modules/webgpu/index.js (MIT, dawn-gpu/node-webgpu) by build.mjs\n${shim}`);

await build({
  entryPoints: ['packages/bench/src/gpu-check.ts'], outfile: `${kit}/gpu-check.mjs`,
  bundle: true, platform: 'node', format: 'esm', target: 'node20', conditions: ['source'], mainFields: ['module', 'main'],
  alias: { webgpu: `./${kit}/src/webgpu-shim.mjs` }, logLevel: 'warning', logOverride: { 'ignored-bare-import': 'silent' }, legalComments: 'none',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
copyFileSync('test/fixtures/edm_ddpmpp.safetensors', `${kit}/edm_ddpmpp.safetensors`);
// xz and its liblzma (Debian 12, glibc >= 2.34), for a machine without xz-utils.
mkdirSync(`${kit}/xzbin`, { recursive: true });
copyFileSync('/usr/bin/xz', `${kit}/xzbin/xz`);
copyFileSync(realpathSync('/lib/x86_64-linux-gnu/liblzma.so.5'), `${kit}/xzbin/liblzma.so.5`);
copyFileSync('packages/cli/models/mnist-cond.safetensors', `${kit}/mnist-cond.safetensors`);
// node and dawn.node: xz -9 once (about 1.5 minutes); rebuilt only when missing or with --xz.
if (process.argv.includes('--xz') || !existsSync(`${kit}/node.xz`) || !existsSync(`${kit}/dawn.node.xz`)) {
  execFileSync('sh', ['-c', `xz -9 -T1 -c /usr/bin/node > ${kit}/node.xz && xz -9 -T1 -c node_modules/webgpu/dist/linux-x64/dawn.node > ${kit}/dawn.node.xz`], { stdio: 'inherit' });
}
// What the bundle was built from: HEAD, and any uncommitted change in the bundled sources.
const git = (args) => execFileSync('git', args, { encoding: 'utf8' }).trimEnd();
const dirty = git(['status', '--porcelain', '--', 'packages/core/src', 'packages/models/src', 'packages/backend-webgpu/src', 'packages/bench/src/gpu-check.ts', 'packages/bench/src/configs.ts']);
writeFileSync(`${kit}/VERSION`, `built ${new Date().toISOString()} from ${git(['log', '-1', '--format=%h %s'])}\n` +
  (dirty ? `uncommitted changes bundled:\n${dirty}\n` : 'bundled sources clean (= HEAD)\n'));
console.log(readFileSync(`${kit}/VERSION`, 'utf8'));
execFileSync('sh', ['-c', `cd ${kit} && sha256sum node.xz dawn.node.xz gpu-check.mjs edm_ddpmpp.safetensors mnist-cond.safetensors run.sh VERSION xzbin/xz xzbin/liblzma.so.5 > SHA256SUMS`], { stdio: 'inherit' });
