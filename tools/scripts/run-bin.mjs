#!/usr/bin/env node
// Runs an app's built bin in this process with the arguments pnpm passes, minus the `--`
// separator pnpm keeps (`pnpm run server -- --coap-port 5683` would otherwise hand commander a
// `--` and turn every flag after it into an operand).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [bin, ...rest] = process.argv.slice(2);
const binPath = resolve(bin ?? '');
if (!bin || !existsSync(binPath)) {
  console.error(`${bin ?? '(no bin given)'} is missing; run \`pnpm build\` first`);
  process.exit(1);
}
const args = rest[0] === '--' ? rest.slice(1) : rest;
process.argv = [process.argv[0], binPath, ...args];
await import(pathToFileURL(binPath).href);
