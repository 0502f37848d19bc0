#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program';
import type { RdServer } from './rd-server';

let server: RdServer | undefined;
const program = buildProgram({
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  started: (s) => {
    server = s;
  },
});

const shutdown = (signal: string) => {
  process.stdout.write(`${signal}: shutting down\n`);
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  void (server?.close() ?? Promise.resolve()).then(() => {
    clearTimeout(force);
    process.exit(0);
  });
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));

try {
  // `pnpm run start -- --port 5683` hands the `--` through: drop it so the options are read.
  const argv = process.argv[2] === '--' ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv;
  await program.parseAsync(argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  process.stderr.write(`lwm2m-rd: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
