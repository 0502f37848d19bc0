import { defineConfig } from 'tsup';

// The workspace packages are bundled from source (tsconfig paths), so `pnpm start` runs the
// current code without building every package first.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
  noExternal: [/^@lwm2m-ts\//],
});
