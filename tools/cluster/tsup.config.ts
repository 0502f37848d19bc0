import { defineConfig } from 'tsup';

// The benchmark and its load generator, bundled from workspace sources (tsconfig paths), so
// `pnpm bench` needs no build of the packages (it does need the built server app it runs).
export default defineConfig({
  entry: {
    'cluster-bench': 'src/bench/cluster-bench.ts',
    'device-load': 'src/bench/device-load.ts',
  },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  noExternal: [/^@lwm2m-ts\//, 'ioredis'],
  // Bundled CommonJS (ioredis) calls require() for node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
