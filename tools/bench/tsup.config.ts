import { defineConfig } from 'tsup';

// Workspace packages are bundled from source (tsconfig paths), so `pnpm bench` needs no prior build.
export default defineConfig({
  entry: {
    harness: 'src/harness.ts',
    'load/load-generator': 'src/load/load-generator.ts',
    'servers/ours-server': 'src/servers/ours-server.ts',
    'servers/node-coap-server': 'src/servers/node-coap-server.ts',
    'servers/transport-server': 'src/transports/transport-server.ts',
    'oscore-overhead': 'src/transports/oscore-overhead.ts',
  },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  noExternal: [/^@lwm2m-ts\//],
  // Bundled CommonJS (ws, through @lwm2m-ts/transport-ws) calls require() for node built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
