import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

// The web UI: built to dist/ui and served by the app (see src/api/http-api.ts).
export default defineConfig({
  root: fileURLToPath(new URL('./ui', import.meta.url)),
  base: '/',
  plugins: [react()],
  resolve: {
    // The "device in this tab" page bundles the LwM2M client from source, like the tests do: no
    // package build needed first, and transport-ws through its browser entry (no `ws`, no node:).
    alias: [
      { find: /^@lwm2m-ts\/transport-ws\/browser$/, replacement: source('transport-ws/src/browser.ts') },
      ...['codec', 'coap', 'objects', 'client'].map((name) => ({
        find: new RegExp(`^@lwm2m-ts/${name}$`),
        replacement: source(`${name}/src/index.ts`),
      })),
    ],
  },
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/.well-known/coap': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
