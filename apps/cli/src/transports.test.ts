/**
 * Every transport between our CLI and our `coap serve`, in-process on loopback (port 0):
 * coap+tcp, coap+ws, coaps+tcp (PSK and X.509), coaps (PSK, X.509, raw public keys) and OSCORE on UDP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from './cli-io';
import { LARGE_BODY } from './demo-server';
import { runCli } from './program';
import { type Fixtures, writeFixtures } from './test-fixtures';
import { testIo } from './test-io';

const PSK = ['--psk-identity', 'CoAP', '--psk-key', '73656372657450534b'];

async function cli(args: string[], stdin?: string) {
  const io = testIo(stdin);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

/** `coap serve` in-process; resolves with its listener URLs by scheme once it is listening. */
async function serve(args: string[]) {
  const io = testIo();
  const done = runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--tick', '100', ...args], io);
  for (let i = 0; i < 100 && !io.stdout.some((l) => l.includes('listening on')); i++)
    await new Promise((r) => setTimeout(r, 20));
  const line = io.stdout.find((l) => l.includes('listening on'));
  if (!line) throw new Error(`serve did not start: ${io.stderr.join('\n')}`);
  const urls = new Map<string, string>();
  for (const m of line.matchAll(/(coaps?(?:\+tcp|\+ws)?):\/\/127\.0\.0\.1:(\d+)/g)) urls.set(m[1]!, m[0]);
  return {
    url: (scheme: string) => urls.get(scheme) ?? '(none)',
    io,
    async stop() {
      io.controller.abort();
      return done;
    },
  };
}

let fx: Fixtures;
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  fx = writeFixtures();
  server = await serve([
    '--dtls-port',
    '0',
    '--tcp-port',
    '0',
    '--tls-port',
    '0',
    '--ws-port',
    '0',
    '--wss-port',
    '0',
    ...PSK,
    '--cert',
    fx.cert,
    '--key',
    fx.key,
  ]);
});
afterAll(async () => {
  expect(await server?.stop()).toBe(ExitCode.OK);
  expect(server.io.stdout.at(-1)).toBe('coap serve: stopped');
});

describe('coap serve listens on every transport', () => {
  it('prints one URL per listener', () => {
    for (const scheme of ['coap', 'coaps', 'coap+tcp', 'coaps+tcp', 'coap+ws', 'coaps+ws'])
      expect(server.url(scheme)).toMatch(/:\d+$/);
  });
});

describe('coap+tcp and coap+ws', () => {
  it('GET over TCP; -v shows the CSM exchange and RFC 8323 messages (no type, no message id)', async () => {
    const r = await cli(['get', '-v', `${server.url('coap+tcp')}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r.err).toMatch(/-> 127\.0\.0\.1:\d+ 7\.01 CSM \[Max-Message-Size:\d+, Block-Wise-Transfer\]/);
    expect(r.err).toMatch(/<- 127\.0\.0\.1:\d+ 7\.01 CSM/);
    expect(r.err).toMatch(/-> 127\.0\.0\.1:\d+ GET tok=[0-9a-f]+ \[Uri-Path:time\]/);
    expect(r.err).toMatch(/<- 127\.0\.0\.1:\d+ 2\.05 tok=/);
  });

  it('observes /time over TCP', async () => {
    const r = await cli(['observe', '--count', '3', '--json', `${server.url('coap+tcp')}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { code: string; observe?: number; payload: string });
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.code === '2.05' && typeof l.observe === 'number')).toBe(true);
  });

  it('uploads over TCP with Block1; the same resource reads back over UDP and WebSockets', async () => {
    const body = 'tcp-upload '.repeat(300);
    const put = await cli(['put', '-b', '256', '-t', 'text', '--file', '-', `${server.url('coap+tcp')}/upload`], body);
    expect(put.out).toBe(`received ${body.length} bytes`);
    expect((await cli(['get', `${server.url('coap')}/upload`])).out).toBe(body);
    expect((await cli(['get', `${server.url('coap+ws')}/upload`])).out).toBe(body);
  });

  it('GET /large and discovery over WebSockets (-v traces WebSocket frames)', async () => {
    const r = await cli(['get', '-v', '-b', '256', `${server.url('coap+ws')}/large`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toBe(LARGE_BODY);
    expect(r.err).toMatch(/<- 127\.0\.0\.1:\d+ 2\.05 tok=[0-9a-f]+ \[.*Block2:19\/0\/256/);
    const d = await cli(['discover', `${server.url('coap+ws')}/?rt=ticks`]);
    expect(d.out).toMatch(/^<\/time>.*rt="ticks"/);
  });
});

describe('coaps+ws (WebSockets over TLS)', () => {
  it('GET with --ca verifying the server; without it the self-signed certificate is refused', async () => {
    const r = await cli(['get', '--ca', fx.cert, `${server.url('coaps+ws')}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^\d{4}-/);
    const untrusted = await cli(['get', `${server.url('coaps+ws')}/time`]);
    expect(untrusted.code).toBe(ExitCode.NETWORK);
    expect(untrusted.err).toMatch(/cannot connect to wss:.*self.signed certificate \(check the credentials\)/);
  });
});

describe('coaps+tcp (TLS)', () => {
  it('PSK', async () => {
    const r = await cli(['get', ...PSK, `${server.url('coaps+tcp')}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^\d{4}-/);
  });

  it('X.509: --ca verifies the server', async () => {
    const r = await cli(['get', '--ca', fx.cert, `${server.url('coaps+tcp')}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^\d{4}-/);
  });

  it('a wrong PSK fails the handshake (exit 4)', async () => {
    const r = await cli(['get', '--psk-identity', 'CoAP', '--psk-key', '00112233', `${server.url('coaps+tcp')}/time`]);
    expect(r.code).toBe(ExitCode.NETWORK);
    expect(r.err).toMatch(
      /^coap: cannot reach coaps\+tcp:\/\/127\.0\.0\.1:\d+\/time: .*alert bad record mac.*\(check the credentials\)$/s,
    );
  });
});

describe('coaps (DTLS)', () => {
  it('PSK, with a Block2 download in 64-byte blocks', async () => {
    const r = await cli(['get', ...PSK, '-b', '64', `${server.url('coaps')}/large`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toBe(LARGE_BODY);
  });

  it('X.509: --ca verifies the server certificate', async () => {
    const r = await cli(['get', '--ca', fx.cert, '-v', `${server.url('coaps')}/time`]);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.err).toMatch(/-> 127\.0\.0\.1:\d+ CON GET mid=\d+/);
  });

  it('a wrong PSK: the handshake fails (bad_record_mac), exit 4', async () => {
    const r = await cli([
      'get',
      '--psk-identity',
      'CoAP',
      '--psk-key',
      '00112233',
      '--timeout',
      '2',
      `${server.url('coaps')}/time`,
    ]);
    expect(r.code).toBe(ExitCode.NETWORK);
    expect(r.err).toMatch(
      /^coap: cannot reach coaps:\/\/127\.0\.0\.1:\d+\/time: .*alert badRecordMac \(check the credentials\)$/,
    );
    expect(r.out).toBe('');
  });

  it('raw public keys, pinned on both sides', async () => {
    const rpk = await serve(['--dtls-port', '0', '--rpk', fx.serverRpk, '--peer-rpk', fx.clientRpk]);
    try {
      const ok = await cli(['get', '--rpk', fx.clientRpk, '--peer-rpk', fx.serverRpk, `${rpk.url('coaps')}/time`]);
      expect(ok.code).toBe(ExitCode.OK);
      expect(ok.out).toMatch(/^\d{4}-/);
      // The server pins the client's key: another key is refused.
      const other = await cli(['get', '--rpk', fx.serverRpk, '--timeout', '2', `${rpk.url('coaps')}/time`]);
      expect(other.code).not.toBe(ExitCode.OK);
      expect(other.err).toContain("the server's raw public key is not verified");
      expect(other.err).toMatch(/coap: cannot reach coaps:\/\/.*: .*(check the credentials)/);
    } finally {
      await rpk.stop();
    }
  });
});

describe('OSCORE on UDP', () => {
  it('protects requests and responses; plain requests get 4.01; the sequence number survives runs', async () => {
    const s = await serve(['--oscore-context', fx.oscoreServer]);
    try {
      expect(s.io.stdout[0]).toContain('OSCORE required on coap://');
      const target = `${s.url('coap')}/time`;
      const first = await cli(['get', '-v', '--oscore-context', fx.oscoreClient, target]);
      expect(first.code).toBe(ExitCode.OK);
      expect(first.out).toMatch(/^\d{4}-/);
      // On the wire: a POST with the OSCORE option (9) and no Uri-Path; the answer is 2.04 outside.
      expect(first.err).toMatch(/-> 127\.0\.0\.1:\d+ CON POST mid=\d+ tok=[0-9a-f]+ \[Oscore:0x[0-9a-f]+\]/);
      expect(first.err).toMatch(/<- 127\.0\.0\.1:\d+ ACK 2\.04 .*\[Oscore:0x\]/);
      const again = await cli(['get', '--oscore-context', fx.oscoreClient, target]);
      expect(again.code).toBe(ExitCode.OK);
      const obs = await cli(['observe', '--count', '3', '--oscore-context', fx.oscoreClient, target]);
      expect(obs.code).toBe(ExitCode.OK);
      expect(obs.out.split('\n')).toHaveLength(3);
      const plain = await cli(['get', target]);
      expect(plain.code).toBe(ExitCode.ERROR_RESPONSE);
      expect(plain.err).toContain('4.01');
    } finally {
      await s.stop();
    }
  });
});
