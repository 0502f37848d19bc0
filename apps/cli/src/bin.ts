#!/usr/bin/env node
import { runCli } from './program';

const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (signals > 1) process.exit(130); // second Ctrl-C: do not wait for a clean shutdown
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  stdin: process.stdin,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; exit even if a stray handle (stdin) would keep node alive.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`coap: ${(err as Error).message}\n`);
    process.exit(4);
  },
);
