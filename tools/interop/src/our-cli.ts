/** Our `coap` CLI, run in-process through its importable core. */

import { PassThrough } from 'node:stream';
import { type CliIo, runCli } from '@lwm2m-ts/cli';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function coap(
  args: readonly string[],
  options: { stdin?: string | Uint8Array; abortAfterMs?: number } = {},
): Promise<CliRun> {
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const controller = new AbortController();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdin, signal: controller.signal, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
  const timer =
    options.abortAfterMs !== undefined ? setTimeout(() => controller.abort(), options.abortAfterMs) : undefined;
  try {
    const code = await runCli(args, io);
    return { code, out: stdout.join('\n'), err: stderr.join('\n') };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
