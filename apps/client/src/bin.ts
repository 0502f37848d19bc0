#!/usr/bin/env node
import { runSimulatorCli } from './program';

const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (signals > 1) process.exit(130); // second Ctrl-C: do not wait for the de-registrations
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runSimulatorCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: process.stderr.isTTY === true,
  signal: controller.signal,
}).then(
  (code) => {
    // Every device is closed by now; stdin would keep node alive.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`lwm2m-simulate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
