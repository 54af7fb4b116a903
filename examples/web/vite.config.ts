// Vite config of the example app. `base: './'` makes the static build work from any folder or URL path.
import { defineConfig } from 'vite';
import { shippedModel } from './plugins/shipped-model.ts';

export default defineConfig({
  base: './',
  plugins: [shippedModel()],
  build: {
    target: 'es2022',
    // tfjs-core, its WebGPU, wasm and WebGL backends and our packages make one ~1 MB chunk (about 250 kB gzip);
    // tfjs-backend-wasm's .wasm files are separate assets (src/backend.ts imports their URLs).
    chunkSizeWarningLimit: 2000,
  },
  // Dev server: pre-bundle tfjs-core together with the deep files @edm/core imports for their side effects
  // (gradient and chained-op registration) and the backends, so they share one tfjs-core module instance.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-wasm',
    ],
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
