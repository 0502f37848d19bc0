/** What the CLI core reads and writes, so it runs the same from bin.ts and in-process tests. */
import type { Readable } from 'node:stream';

export interface CliIo {
  /** One line (or block) of normal output, without trailing newline. */
  out(text: string): void;
  /** Diagnostics, -v traces and errors. */
  err(text: string): void;
  /** Source for `--file -`. */
  stdin: Readable;
  /** Aborted on SIGINT/SIGTERM: ends `observe` and `serve` cleanly. */
  signal: AbortSignal;
}

/** Exit statuses, documented in the README. */
export const ExitCode = {
  OK: 0,
  /** The server answered 4.xx or 5.xx. */
  ERROR_RESPONSE: 1,
  /** Bad arguments: URI, content format, missing file. */
  USAGE: 2,
  /** No response in --timeout. */
  TIMEOUT: 3,
  /** Network failure: cannot bind, peer reset (RST), unreachable. */
  NETWORK: 4,
} as const;

/** An error whose message is for the user and that maps to an exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
