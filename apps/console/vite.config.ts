import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { requestSchemasPlugin } from './request-schemas.ts';

// Built into apps/console/dist, which the gateway serves at `/` (services/gateway/src/http/console.ts).
// In development, `npx vite apps/console` proxies the API to a running `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), requestSchemasPlugin()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/v1': { target: process.env.CONSOLE_API ?? 'http://127.0.0.1:3000', ws: true },
      '/docs': process.env.CONSOLE_API ?? 'http://127.0.0.1:3000',
    },
  },
});
