import { defineConfig } from 'tsup';

export default defineConfig({
  // node.ts: the node-only `@lwm2m-ts/objects/node` entry (node:fs), kept out of index.ts.
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Keep `node:fs/promises` as written, so the dist says plainly which file needs node.
  removeNodeProtocol: false,
});
