/** Bad or missing security flags: exit 2 with a sentence that names the flag, before any socket opens. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from './cli-io';
import { parsePskKey } from './credentials';
import { runCli } from './program';
import { type Fixtures, writeFixtures } from './test-fixtures';
import { testIo } from './test-io';

async function cli(args: string[]) {
  const io = testIo();
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

let fx: Fixtures;
beforeAll(() => {
  fx = writeFixtures();
});

describe('security flags', () => {
  it('parses hex PSKs and refuses anything else', () => {
    expect(Array.from(parsePskKey('73656372657450534b'))).toEqual(Array.from(Buffer.from('secretPSK')));
    expect(Array.from(parsePskKey('0x0aFF'))).toEqual([10, 255]);
    for (const bad of ['secretPSK', 'abc', '', '0x']) expect(() => parsePskKey(bad)).toThrow(/--psk-key must be hex/);
  });

  it.each([
    [['get', 'coaps://127.0.0.1:25999/time'], /coaps:\/\/ needs credentials: --psk-identity ID --psk-key HEX/],
    [['get', 'coaps+tcp://127.0.0.1:25999/time'], /coaps\+tcp:\/\/ needs credentials/],
    [['get', '--psk-identity', 'x', 'coaps://127.0.0.1:25999/t'], /PSK needs both --psk-identity ID and --psk-key HEX/],
    [['get', '--psk-identity', 'x', '--psk-key', 'zz', 'coaps://127.0.0.1:25999/t'], /--psk-key must be hex/],
    [
      ['get', ...['--psk-identity', 'x', '--psk-key', '00'], 'coap+tcp://127.0.0.1:25999/t'],
      /does not apply to coap\+tcp/,
    ],
    [
      ['get', '--rpk', '/nonexistent/k.pem', 'coaps://127.0.0.1:25999/t'],
      /--rpk \/nonexistent\/k\.pem: cannot read the file \(ENOENT\)/,
    ],
    [['get', '--cert', '/nonexistent/c.pem', 'coaps://127.0.0.1:25999/t'], /--cert needs --key FILE/],
    [['get', '--psk-identity', 'x', '--psk-key', '00', 'coaps+ws://127.0.0.1:25999/t'], /does not apply to coaps\+ws/],
    [['serve', '--port', '0', '--dtls-port', '0'], /--dtls-port needs credentials/],
    [['serve', '--port', '0', '--tls-port', '0'], /--tls-port needs credentials/],
    [
      ['serve', '--port', '0', '--wss-port', '0', '--psk-identity', 'a', '--psk-key', '00'],
      /--wss-port needs a certificate/,
    ],
    [
      ['serve', '--port', '0', '--psk-identity', 'a', '--psk-key', '00'],
      /given without --dtls-port, --tls-port or --wss-port/,
    ],
  ])('%j is refused', async (args, message) => {
    const r = await cli(args);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(ExitCode.USAGE);
  });

  it('names bad files: a certificate that is not one, a key that does not match, a broken OSCORE context', async () => {
    const notPem = join(fx.dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const cert = await cli(['get', '--cert', notPem, '--key', fx.key, '--ca', fx.cert, 'coaps://127.0.0.1:25999/t']);
    expect(cert.code).toBe(ExitCode.USAGE);
    expect(cert.err).toContain(`--cert ${notPem}: not a PEM X.509 certificate`);
    const mismatch = await cli([
      'get',
      '--cert',
      fx.cert,
      '--key',
      fx.clientRpk,
      '--ca',
      fx.cert,
      'coaps://127.0.0.1:25999/t',
    ]);
    expect(mismatch.err).toContain(`--key ${fx.clientRpk} is not the private key of --cert ${fx.cert}`);
    const rpk = await cli(['get', '--rpk', fx.cert, 'coaps://127.0.0.1:25999/t']);
    expect(rpk.err).toContain(`--rpk ${fx.cert}: not a PEM EC private key`);
    const badJson = join(fx.dir, 'bad-oscore.json');
    writeFileSync(badJson, JSON.stringify({ senderId: '01', recipientId: '', masterSecret: 'xyz' }));
    const oscore = await cli(['get', '--oscore-context', badJson, 'coap://127.0.0.1:25999/t']);
    expect(oscore.code).toBe(ExitCode.USAGE);
    expect(oscore.err).toMatch(/--oscore-context: .*masterSecret/);
    const missing = await cli(['get', '--oscore-context', join(fx.dir, 'nope.json'), 'coap://127.0.0.1:25999/t']);
    expect(missing.err).toMatch(/--oscore-context: cannot read OSCORE context file .*nope\.json/);
  });
});
