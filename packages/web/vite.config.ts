import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into dist/ and served by the Runlog server at / (packages/server/src/http/dashboard.ts).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline script; the polyfill is not needed by the browsers this targets.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3001', '/ws': { target: 'ws://127.0.0.1:3001', ws: true } } },
});
