/** In-memory CliIo for tests (not exported from the package). */
import { PassThrough } from 'node:stream';
import type { CliIo } from './cli-io';

export interface TestIo extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly controller: AbortController;
}

export function testIo(stdinText?: string): TestIo {
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.end(stdinText);
  const controller = new AbortController();
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    controller,
    stdin,
    signal: controller.signal,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
  };
}
