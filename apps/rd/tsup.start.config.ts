import { defineConfig } from 'tsup';

// `pnpm start`: only the executable, no declarations, so it starts in about a second.
export default defineConfig({
  entry: ['src/bin.ts'],
  format: ['esm'],
  dts: false,
  clean: false,
  sourcemap: true,
  target: 'node20',
  noExternal: [/^@lwm2m-ts\//],
});
