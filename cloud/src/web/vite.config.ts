import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is served by the cloud at /app/ (cloud/src/web/static-routes.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  publicDir: 'public',
  build: { outDir: 'dist', emptyOutDir: true },
});
