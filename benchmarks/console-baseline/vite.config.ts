import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The baseline page of bench:console, served under /bench-baseline/ on the gateway's origin by the benchmark's browser.
export default defineConfig({
  root: import.meta.dirname,
  base: '/bench-baseline/',
  plugins: [react()],
  build: { outDir: '../../.data/bench/console-baseline', emptyOutDir: true },
  logLevel: 'warn',
});
