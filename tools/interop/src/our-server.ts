/** Our `coap serve`, run in-process through the CLI core, stopped like Ctrl-C stops it. */
import { PassThrough } from 'node:stream';
import { runCli } from '@lwm2m-ts/cli';
import { sleep } from './peers';

export interface OurServer {
  readonly lines: string[];
  stop(): Promise<number>;
}

/** `extra`: more `coap serve` flags (`--tcp-port 25711 --psk-identity ...`). */
export async function startOurServer(
  host: string,
  port: number,
  tickMs = 250,
  extra: readonly string[] = [],
): Promise<OurServer> {
  const controller = new AbortController();
  const lines: string[] = [];
  const io = {
    stdin: new PassThrough(),
    signal: controller.signal,
    out: (t: string) => lines.push(t),
    err: (t: string) => lines.push(t),
  };
  const done = runCli(['serve', '--host', host, '--port', String(port), '--tick', String(tickMs), ...extra], io);
  for (let i = 0; i < 150 && !lines.some((l) => l.includes('listening on')); i++) await sleep(20);
  if (!lines.some((l) => l.includes('listening on'))) {
    controller.abort();
    throw new Error(`coap serve did not start: ${lines.join('\n')}`);
  }
  return {
    lines,
    async stop() {
      controller.abort();
      return done;
    },
  };
}
