// Vite config of the example app. `base: './'` makes the static build work from any folder or URL path.
import { defineConfig } from 'vite';
import { shippedModel } from './plugins/shipped-model.ts';

export default defineConfig({
  base: './',
  plugins: [shippedModel()],
  build: {
    target: 'es2022',
    // tfjs-core, its WebGPU and WebGL backends and our packages make one ~1 MB chunk (about 250 kB gzip).
    chunkSizeWarningLimit: 2000,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
