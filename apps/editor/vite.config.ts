import { defineConfig } from 'vite';

// Dev server proxies /api to the Nudge server; in production the server serves dist/ itself.
const apiTarget = process.env.NUDGE_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy: { '/api': { target: apiTarget, changeOrigin: true } } },
  build: { outDir: 'dist', chunkSizeWarningLimit: 1500 },
});
