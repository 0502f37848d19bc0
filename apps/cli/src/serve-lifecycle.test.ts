/** `coap serve` with several listeners: Ctrl-C releases every port, a busy port fails cleanly, IPv6 works. */
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from './cli-io';
import { runCli } from './program';
import { type Fixtures, writeFixtures } from './test-fixtures';
import { testIo } from './test-io';

const PSK = ['--psk-identity', 'CoAP', '--psk-key', '73656372657450534b'];
const ports = (base: number) => [
  ...['--port', String(base), '--dtls-port', String(base + 1), '--tcp-port', String(base + 2)],
  ...['--tls-port', String(base + 3), '--ws-port', String(base + 4), '--wss-port', String(base + 5)],
];

async function startServe(args: string[]) {
  const io = testIo();
  const done = runCli(['serve', '--tick', '100', ...args], io);
  for (let i = 0; i < 150 && io.stdout.length === 0 && io.stderr.length === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  return { io, done };
}

async function cli(args: string[]) {
  const io = testIo();
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

let fx: Fixtures;
beforeAll(() => {
  fx = writeFixtures();
});

describe('coap serve lifecycle', () => {
  it('Ctrl-C closes every listener (open connections too): the same ports bind again at once', async () => {
    const args = ['--host', '127.0.0.1', ...ports(26440), ...PSK, '--cert', fx.cert, '--key', fx.key];
    const first = await startServe(args);
    expect(first.io.stdout[0]).toContain('coaps+ws://127.0.0.1:26445');
    // An observation over TCP is running when the server stops: it ends instead of hanging.
    const observing = cli(['observe', '--timeout', '5', 'coap+tcp://127.0.0.1:26442/time']);
    await new Promise((r) => setTimeout(r, 300));
    first.io.controller.abort();
    expect(await first.done).toBe(ExitCode.OK);
    const ended = await observing;
    expect(ended.out.split('\n').length).toBeGreaterThanOrEqual(2);
    expect(ended.err).toMatch(/closed|reset|no response/i);
    const second = await startServe(args);
    expect(second.io.stderr).toEqual([]);
    expect(second.io.stdout[0]).toMatch(/listening on coap:\/\/127\.0\.0\.1:26440, coaps:\/\/127\.0\.0\.1:26441/);
    expect((await cli(['get', ...PSK, 'coaps+tcp://127.0.0.1:26443/time'])).code).toBe(ExitCode.OK);
    second.io.controller.abort();
    expect(await second.done).toBe(ExitCode.OK);
  });

  it('a busy TCP port: exit 4 with the reason, and the UDP port it had bound is released', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(26452, '127.0.0.1', r));
    try {
      const r = await startServe(['--host', '127.0.0.1', '--port', '26450', '--tcp-port', '26452']);
      expect(await r.done).toBe(ExitCode.NETWORK);
      expect(r.io.stderr.join('\n')).toBe(
        'coap: cannot listen on coap+tcp://127.0.0.1:26452: address already in use (another process listens on this port; pick another --tcp-port or stop it)',
      );
    } finally {
      blocker.close();
    }
    const again = await startServe(['--host', '127.0.0.1', '--port', '26450']);
    expect(again.io.stdout[0]).toContain('listening on coap://127.0.0.1:26450');
    again.io.controller.abort();
    expect(await again.done).toBe(ExitCode.OK);
  });

  it('serves TCP, DTLS and WebSockets on IPv6 loopback', async () => {
    const s = await startServe([
      '--host',
      '::1',
      '--port',
      '0',
      '--dtls-port',
      '0',
      '--tcp-port',
      '0',
      '--ws-port',
      '0',
      ...PSK,
    ]);
    try {
      const line = s.io.stdout[0] ?? '';
      const port = (scheme: string) => new RegExp(`${scheme.replace('+', '\\+')}://\\[::1\\]:(\\d+)`).exec(line)?.[1];
      for (const [scheme, extra] of [
        ['coap+tcp', []],
        ['coaps', PSK],
        ['coap+ws', []],
      ] as const) {
        const r = await cli(['get', ...extra, `${scheme}://[::1]:${port(scheme)}/time`]);
        expect(r.err).toBe('');
        expect(r.out).toMatch(/^\d{4}-/);
      }
    } finally {
      s.io.controller.abort();
      await s.done;
    }
  });
});
