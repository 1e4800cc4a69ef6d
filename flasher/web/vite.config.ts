import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Served by the cloud at /flasher/; the firmware manifest lives at /firmware/manifest.json.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/flasher/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
