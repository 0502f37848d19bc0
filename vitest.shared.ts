import { fileURLToPath } from 'node:url';

// Tests import sibling packages from source, so no build is needed before a test run.
const pkg = (name: string, entry = 'src/index.ts') =>
  fileURLToPath(new URL(`./packages/${name}/${entry}`, import.meta.url));

export const workspaceAliases = [
  { find: '@lwm2m-ts/codec/testing', replacement: pkg('codec', 'src/testing/index.ts') },
  { find: '@lwm2m-ts/coap/testing', replacement: pkg('coap', 'src/testing/index.ts') },
  { find: '@lwm2m-ts/objects/node', replacement: pkg('objects', 'src/node.ts') },
  { find: '@lwm2m-ts/store-redis/testing', replacement: pkg('store-redis', 'src/testing/index.ts') },
  ...[
    'codec',
    'coap',
    'transport-udp',
    'transport-dtls',
    'transport-tcp',
    'transport-ws',
    'oscore',
    'objects',
    'client',
    'server',
    'rd',
    'store-redis',
  ].map((name) => ({ find: new RegExp(`^@lwm2m-ts/${name}$`), replacement: pkg(name) })),
  // Private test helpers under tools/ (never built).
  {
    find: /^@lwm2m-ts\/test-pki$/,
    replacement: fileURLToPath(new URL('./tools/test-pki/src/index.ts', import.meta.url)),
  },
];
