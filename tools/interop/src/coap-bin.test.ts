/**
 * The built `coap` binary as a user runs it: `coap serve` answers libcoap's client and stops
 * cleanly on SIGTERM and SIGINT; `coap get` exits 0 / 1 / 3 as documented. Needs the CLI built
 * (`pnpm build`, as CI does first); outside CI a missing build skips with a loud line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GNUTLS_CLIENT, haveLibcoap, haveSecureLibcoap, libcoapClient, libcoapTool, OPENSSL_CLIENT } from './libcoap';
import { peerAvailable, run, sleep } from './peers';

const BIN = fileURLToPath(new URL('../../../apps/cli/dist/bin.js', import.meta.url));
const built = peerAvailable(
  'the built coap CLI (apps/cli/dist/bin.js)',
  existsSync(BIN),
  'pnpm --filter @lwm2m-ts/cli... build',
);

async function serve(
  port: number,
  extra: readonly string[] = [],
): Promise<{ child: ChildProcess; output: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 100 && !out.includes('listening on'); i++) await sleep(50);
  return { child, output: () => out, exit };
}

describe.runIf(built)('coap binary', () => {
  it.each([
    ['SIGTERM', 25697],
    ['SIGINT', 25698],
  ] as const)('coap serve answers, then stops cleanly on %s', async (signal, port) => {
    const s = await serve(port);
    try {
      expect(s.output()).toContain(`listening on coap://127.0.0.1:${port}`);
      const got = await run(process.execPath, [BIN, 'get', `coap://127.0.0.1:${port}/time`], { timeoutMs: 10_000 });
      expect(got.status).toBe(0);
      expect(got.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
      if (haveLibcoap()) expect((await libcoapClient([`coap://127.0.0.1:${port}/time`])).stdout).toMatch(/^\d{4}-/);
      const missing = await run(process.execPath, [BIN, 'get', `coap://127.0.0.1:${port}/missing`], {
        timeoutMs: 10_000,
      });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('4.04 Not Found');
    } finally {
      if (s.child.pid && s.child.exitCode === null) process.kill(s.child.pid, signal);
    }
    expect(await s.exit).toBe(0);
    expect(s.output()).toContain('coap serve: stopped');
  });

  it('coap serve -v on UDP, DTLS and TCP at once: libcoap clients get answers, every listener is traced, SIGTERM stops all', async () => {
    const s = await serve(26460, [
      ...['-v', '--dtls-port', '26461', '--tcp-port', '26462'],
      ...['--psk-identity', 'CoAP', '--psk-key', '73656372657450534b'],
    ]);
    try {
      expect(s.output()).toContain(
        'listening on coap://127.0.0.1:26460, coaps://127.0.0.1:26461, coap+tcp://127.0.0.1:26462',
      );
      const tcp = await run(process.execPath, [BIN, 'get', 'coap+tcp://127.0.0.1:26462/time'], { timeoutMs: 10_000 });
      expect(tcp.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
      const dtls = await run(
        process.execPath,
        [BIN, 'get', '--psk-identity', 'CoAP', '--psk-key', '73656372657450534b', 'coaps://127.0.0.1:26461/time'],
        { timeoutMs: 10_000 },
      );
      expect(dtls.stdout).toMatch(/^\d{4}-/);
      if (haveSecureLibcoap()) {
        expect((await libcoapTool(GNUTLS_CLIENT, ['coap+tcp://127.0.0.1:26462/time'])).stdout).toMatch(/^\d{4}-/);
        const theirs = await libcoapTool(OPENSSL_CLIENT, [
          '-u',
          'CoAP',
          '-k',
          'secretPSK',
          'coaps://127.0.0.1:26461/time',
        ]);
        expect(theirs.stdout).toMatch(/^\d{4}-/);
      }
      // -v: the server traced the TCP request (RFC 8323 framing) and the DTLS one (CON, message id).
      expect(s.output()).toMatch(/<- 127\.0\.0\.1:\d+ 7\.01 CSM/);
      expect(s.output()).toMatch(/<- 127\.0\.0\.1:\d+ GET tok=[0-9a-f]+ \[Uri-Path:time\]/);
      expect(s.output()).toMatch(/<- 127\.0\.0\.1:\d+ CON GET mid=\d+ tok=[0-9a-f]+ \[Uri-Path:time\]/);
    } finally {
      if (s.child.pid && s.child.exitCode === null) process.kill(s.child.pid, 'SIGTERM');
    }
    expect(await s.exit).toBe(0);
    expect(s.output()).toContain('coap serve: stopped');
  });

  it('coap get times out with status 3 and says so', async () => {
    const r = await run(process.execPath, [BIN, 'get', '--timeout', '1', 'coap://127.0.0.1:25699/x'], {
      timeoutMs: 10_000,
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/no response from coap:\/\/127\.0\.0\.1:25699\/x within 1 s/);
  });
});
