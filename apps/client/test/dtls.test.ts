/**
 * Devices over DTLS (coaps://) against a real @lwm2m-ts/server on a DTLS server transport:
 * PSK (identity seen by the server, Security object values), a wrong key, a fleet with
 * per-device identities, raw public keys, X.509, and queue-mode sleep with session resumption.
 */
import { readFileSync } from 'node:fs';
import { createBootstrapServer, createLwM2mServer, SecurityMode } from '@lwm2m-ts/server';
import { createDtlsServer, type DtlsServerOptions } from '@lwm2m-ts/transport-dtls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getValue, runSimulatorCli, seededRandom, startSimulator } from '../src/index';
import { plainOf, registeredIdentities, type SecureFixtures, waitFor, writeSecureFixtures } from './secure-fixtures';

const KEY = Uint8Array.from(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
let fx: SecureFixtures;
beforeAll(() => {
  fx = writeSecureFixtures();
});
afterAll(() => fx.remove());

async function dtlsServer(options: Omit<DtlsServerOptions, 'host' | 'port'>) {
  const transport = await createDtlsServer({ host: '127.0.0.1', port: 0, ...options });
  const server = createLwM2mServer({ transport });
  cleanups.push(() => server.close());
  const identities = registeredIdentities(server);
  return { server, transport, identities, uri: `coaps://127.0.0.1:${transport.localAddress()!.port}` };
}

/** PSK store of identities `id` -> KEY, recording the identities asked for. */
const pskStore = (known: (id: string) => boolean) => {
  const asked: string[] = [];
  const psk = (id: string) => {
    asked.push(id);
    return known(id) ? KEY : undefined;
  };
  return { asked, psk };
};

describe('simulated devices over DTLS', () => {
  it('PSK: registers, the server sees the identity and reads; /0/0 says PSK with identity and key', async () => {
    const store = pskStore((id) => id === 'dev-psk');
    const { server, uri, identities } = await dtlsServer({ psk: store.psk });
    const sim = await startSimulator({
      server: uri,
      endpoint: 'sim-psk',
      rate: 0,
      random: seededRandom(1),
      credentials: { psk: { identity: 'dev-psk', key: KEY } },
    });
    cleanups.push(() => sim.close());
    expect(sim.devices[0]!.state).toBe('registered');
    await waitFor(() => identities.has('sim-psk'));
    expect(identities.get('sim-psk')).toEqual({ kind: 'psk', identity: 'dev-psk' });
    const read = await server.read('sim-psk', '/3/0/0');
    expect(read.code).toBe('2.05');
    expect(plainOf(read.content)).toBe('lwm2m-ts');
    const device = sim.devices[0]!;
    expect(getValue(device, '/0/0/0')).toContain(uri);
    expect(getValue(device, '/0/0/2')).toBe('/0/0/2 (Security Mode) = 0');
    expect(getValue(device, '/0/0/3')).toContain(Buffer.from('dev-psk').toString('hex'));
    expect(getValue(device, '/0/0/5')).toContain('000102030405060708090a0b0c0d0e0f');
  });

  it('a wrong PSK key fails the handshake with a clear reason and nothing registers', async () => {
    const { server, uri } = await dtlsServer({ psk: (id) => (id === 'dev-bad' ? KEY : undefined) });
    const sim = await startSimulator({
      server: uri,
      endpoint: 'sim-bad',
      rate: 0,
      credentials: {
        psk: { identity: 'dev-bad', key: Uint8Array.from(Buffer.from('ffffffffffffffffffffffffffffffff', 'hex')) },
      },
    });
    cleanups.push(() => sim.close({ deregister: false }));
    const device = sim.devices[0]!;
    expect(device.state).toBe('failed');
    expect(device.lastError?.message).toMatch(
      /fatal alert badRecordMac: the server refused the handshake: check the credentials/,
    );
    expect(await server.getRegistration('sim-bad')).toBeUndefined();
  });

  it('a fleet of 5 uses per-device PSK identities (ID-0001 ...), or one with --shared-psk', async () => {
    const store = pskStore((id) => id.startsWith('fleet-key'));
    const { server, uri, identities } = await dtlsServer({ psk: store.psk });
    const sim = await startSimulator({
      server: uri,
      endpoint: 'fleet',
      count: 5,
      ramp: 50,
      rate: 0,
      credentials: { psk: { identity: 'fleet-key', key: KEY } },
    });
    cleanups.push(() => sim.close());
    expect(sim.stats()).toMatchObject({ registered: 5, failed: 0 });
    await waitFor(() => identities.size === 5);
    for (let i = 1; i <= 5; i++)
      expect(identities.get(`fleet-000${i}`)).toEqual({ kind: 'psk', identity: `fleet-key-000${i}` });
    expect((await server.read('fleet-0003', '/3/0/0')).code).toBe('2.05');

    const shared = await startSimulator({
      server: uri,
      endpoint: 'shared',
      count: 2,
      rate: 0,
      credentials: { psk: { identity: 'fleet-key', key: KEY }, sharedPsk: true },
    });
    cleanups.push(() => shared.close());
    await waitFor(() => identities.has('shared-0002'));
    expect(identities.get('shared-0002')).toEqual({ kind: 'psk', identity: 'fleet-key' });
  });

  it('raw public keys: the device registers with its key, trusting the pinned server key; /0/0/2 = 1', async () => {
    const clientPublic = new Uint8Array(
      (await import('node:crypto'))
        .createPublicKey(readFileSync(fx.clientRpk, 'utf8'))
        .export({ type: 'spki', format: 'der' }),
    );
    const { server, uri, identities } = await dtlsServer({
      rpk: { privateKey: readFileSync(fx.serverRpk, 'utf8'), trusted: [clientPublic] },
    });
    const { loadCredentials } = await import('../src/security/credentials');
    const credentials = loadCredentials({ rpk: fx.clientRpk, serverRpk: fx.serverRpkPublic });
    const sim = await startSimulator({ server: uri, endpoint: 'sim-rpk', rate: 0, credentials });
    cleanups.push(() => sim.close());
    expect(sim.devices[0]!.state).toBe('registered');
    await waitFor(() => identities.has('sim-rpk'));
    const seen = identities.get('sim-rpk') as { kind: string };
    expect(seen.kind).toBe('rpk');
    expect((await server.read('sim-rpk', '/3303/0/5700')).code).toBe('2.05');
    expect(getValue(sim.devices[0]!, '/0/0/2')).toBe('/0/0/2 (Security Mode) = 1');
    expect(getValue(sim.devices[0]!, '/0/0/3')).toContain(Buffer.from(clientPublic).toString('hex'));
  });

  it('raw public keys: a server key other than the pinned one fails the device with the reason', async () => {
    const { server, uri } = await dtlsServer({
      rpk: { privateKey: readFileSync(fx.serverRpk, 'utf8'), trusted: () => true },
    });
    const { loadCredentials } = await import('../src/security/credentials');
    // Pin the wrong key: the device's own.
    const credentials = loadCredentials({ rpk: fx.clientRpk, serverRpk: fx.clientRpk });
    const sim = await startSimulator({ server: uri, endpoint: 'sim-rpk-bad', rate: 0, credentials });
    cleanups.push(() => sim.close({ deregister: false }));
    const device = sim.devices[0]!;
    expect(device.state).toBe('failed');
    expect(device.lastError?.message).toMatch(
      /untrusted raw public key: the server's key or certificate is not trusted: check --server-rpk or --ca/,
    );
    expect(await server.getRegistration('sim-rpk-bad')).toBeUndefined();
  });

  it('X.509 from the command line: --cert --key --ca; /0/0/2 = 2', async () => {
    const cert = readFileSync(fx.cert, 'utf8');
    const { server, uri, identities } = await dtlsServer({
      certificate: cert,
      privateKey: readFileSync(fx.key, 'utf8'),
      trustedCertificates: [cert],
    });
    const err: string[] = [];
    const ac = new AbortController();
    const { PassThrough } = await import('node:stream');
    const cli = runSimulatorCli(
      [
        '--server',
        uri,
        '-e',
        'sim-x509',
        '--cert',
        fx.cert,
        '--key',
        fx.key,
        '--ca',
        fx.cert,
        '--rate',
        '0',
        '--no-interactive',
      ],
      {
        out: () => {},
        err: (t) => err.push(t),
        stdin: new PassThrough(),
        stdinIsTTY: false,
        stderr: new PassThrough(),
        stderrIsTTY: false,
        stdout: new PassThrough(),
        signal: ac.signal,
      },
    );
    await waitFor(
      async () => (await server.getRegistration('sim-x509')) !== undefined && identities.has('sim-x509'),
      10_000,
    );
    expect((identities.get('sim-x509') as { kind: string }).kind).toBe('x509');
    expect((await server.read('sim-x509', '/3/0/0')).code).toBe('2.05');
    ac.abort();
    expect(await cli).toBe(0);
    expect(await server.getRegistration('sim-x509')).toBeUndefined();
  });

  it('queue mode: sleep closes the DTLS session, wake resumes it (abbreviated handshake) and sends an Update', async () => {
    const store = pskStore((id) => id === 'sleepy');
    const { server, uri, transport } = await dtlsServer({ psk: store.psk });
    const sim = await startSimulator({
      server: uri,
      endpoint: 'sim-sleepy',
      rate: 0,
      queue: true,
      awakeTimeMs: 60_000,
      credentials: { psk: { identity: 'sleepy', key: KEY } },
    });
    cleanups.push(() => sim.close());
    const device = sim.devices[0]!;
    const dtls = device.transport!.dtls!;
    expect(dtls.stats().sessions).toBe(1);
    await waitFor(() => transport.stats().sessions === 1);
    const lookups = store.asked.length;

    device.sleep();
    await waitFor(() => dtls.stats().sessions === 0);
    expect(dtls.stats().cachedSessions).toBeGreaterThanOrEqual(1);
    await waitFor(() => transport.stats().sessions === 0); // the server got close_notify

    const updates: string[] = [];
    server.events.on('updated', (e) => updates.push(e.registration.endpoint));
    await device.wake();
    await waitFor(() => updates.includes('sim-sleepy'));
    expect(dtls.stats().sessions).toBe(1);
    // Resumed: the server never looked the PSK up again (a full handshake would).
    expect(store.asked.length).toBe(lookups);
    expect((await server.read('sim-sleepy', '/3/0/0')).code).toBe('2.05');
  });

  it('queue mode: falling asleep after --awake-time also closes the session; the next Update resumes it', async () => {
    const store = pskStore((id) => id === 'dozy');
    const { server, uri, transport } = await dtlsServer({ psk: store.psk });
    const sim = await startSimulator({
      server: uri,
      endpoint: 'sim-dozy',
      rate: 0,
      queue: true,
      awakeTimeMs: 300,
      credentials: { psk: { identity: 'dozy', key: KEY } },
    });
    cleanups.push(() => sim.close());
    const device = sim.devices[0]!;
    const dtls = device.transport!.dtls!;
    await waitFor(() => device.client!.sleeping && dtls.stats().sessions === 0);
    await waitFor(() => transport.stats().sessions === 0);
    const updates: string[] = [];
    server.events.on('updated', (e) => updates.push(e.registration.endpoint));
    await device.update();
    await waitFor(() => updates.includes('sim-dozy'));
    expect(dtls.stats().sessions).toBe(1);
    expect(store.asked).toEqual(['dozy']); // one full handshake, then resumption
  });

  it('--bootstrap coaps://: bootstraps over DTLS PSK, then registers over DTLS where it was told', async () => {
    const { server, uri, identities } = await dtlsServer({ psk: (id) => (id === 'bs-dtls' ? KEY : undefined) });
    const bsTransport = await createDtlsServer({
      host: '127.0.0.1',
      port: 0,
      psk: (id) => (id === 'bs-dtls' ? KEY : undefined),
    });
    const bs = createBootstrapServer({ transport: bsTransport });
    cleanups.push(() => bs.close());
    await bs.configs.put('sim-bs-dtls', {
      security: {
        0: {
          uri,
          bootstrapServer: false,
          securityMode: SecurityMode.PSK,
          publicKeyOrIdentity: new TextEncoder().encode('bs-dtls'),
          secretKey: KEY,
          shortServerId: 3,
        },
      },
      servers: { 0: { shortServerId: 3, lifetime: 90, notificationStoring: false, binding: 'U' } },
    });
    const sim = await startSimulator({
      bootstrap: `coaps://127.0.0.1:${bsTransport.localAddress()!.port}`,
      endpoint: 'sim-bs-dtls',
      rate: 0,
      credentials: { psk: { identity: 'bs-dtls', key: KEY } },
    });
    cleanups.push(() => sim.close());
    expect(sim.devices[0]!.state).toBe('registered');
    await waitFor(() => identities.has('sim-bs-dtls'));
    expect(identities.get('sim-bs-dtls')).toEqual({ kind: 'psk', identity: 'bs-dtls' });
    expect(await server.getRegistration('sim-bs-dtls')).toMatchObject({ lifetime: 90 });
    expect((await server.read('sim-bs-dtls', '/3/0/0')).code).toBe('2.05');
  });

  it('the CLI refuses missing or misfitting credentials with status 2 and names the flag', async () => {
    const { PassThrough } = await import('node:stream');
    const run = async (args: string[]) => {
      const err: string[] = [];
      const status = await runSimulatorCli([...args, '--no-interactive'], {
        out: () => {},
        err: (t) => err.push(t),
        stdin: new PassThrough(),
        stdinIsTTY: false,
        stderr: new PassThrough(),
        stderrIsTTY: false,
        stdout: new PassThrough(),
        signal: new AbortController().signal,
      });
      return { status, err: err.join('\n') };
    };
    expect(await run(['-s', 'coaps://127.0.0.1:25998'])).toEqual({
      status: 2,
      err: expect.stringContaining('coaps:// (DTLS) needs --psk-identity ID --psk-key HEX'),
    });
    expect(await run(['-s', 'coaps://127.0.0.1:25998', '--psk-identity', 'a', '--psk-key', 'xyz'])).toEqual({
      status: 2,
      err: expect.stringContaining('--psk-key must be an even number of hex digits'),
    });
    expect(await run(['-s', 'coap+ws://127.0.0.1:25998', '--rpk', fx.clientRpk])).toEqual({
      status: 2,
      err: expect.stringContaining('--rpk does not apply to coap+ws:// URIs'),
    });
    expect(await run(['-s', 'coaps://127.0.0.1:25998', '--rpk', `${fx.dir}/nope.pem`])).toEqual({
      status: 2,
      err: expect.stringContaining('cannot read the file (ENOENT)'),
    });
    expect(await run(['-s', 'coaps+ws://127.0.0.1:25998'])).toEqual({
      status: 2,
      err: expect.stringContaining('coaps+ws:// is not simulated'),
    });
  });
});
