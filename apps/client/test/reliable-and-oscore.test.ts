/**
 * Devices over coap+tcp, coaps+tcp (TLS PSK and X.509), coap+ws and OSCORE on UDP, each against
 * a real @lwm2m-ts/server on the matching server transport; plus the credential errors.
 */
import { readFileSync } from 'node:fs';
import type { Transport } from '@lwm2m-ts/coap';
import { createOscoreLayer, loadOscoreContextFile } from '@lwm2m-ts/oscore';
import { type CreateLwM2mServerOptions, createLwM2mServer } from '@lwm2m-ts/server';
import { createTcpTransport, type TcpTlsOptions } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, getValue, type SimulatorOptions, startSimulator } from '../src/index';
import { loadCredentials } from '../src/security/credentials';
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

async function serve(transport: Transport, scheme: string, extra: Partial<CreateLwM2mServerOptions> = {}) {
  const server = createLwM2mServer({ transport, ...extra });
  cleanups.push(() => server.close());
  const identities = registeredIdentities(server);
  return { server, identities, uri: `${scheme}://127.0.0.1:${transport.localAddress()!.port}` };
}

/** Registers one device, reads /3/0/0 and /3303/0/5700 through the server, de-registers on close. */
async function registerAndRead(server: ReturnType<typeof createLwM2mServer>, options: SimulatorOptions) {
  const endpoint = options.endpoint!;
  const sim = await startSimulator({ rate: 0, ...options });
  cleanups.push(() => sim.close());
  expect(sim.devices[0]!.state).toBe('registered');
  const read = await server.read(endpoint, '/3/0/0');
  expect(read.code).toBe('2.05');
  expect(plainOf(read.content)).toBe('lwm2m-ts');
  expect((await server.read(endpoint, '/3303/0/5700')).code).toBe('2.05');
  return sim;
}

describe('simulated devices over reliable transports and OSCORE', () => {
  it('coap+tcp: registers with binding T and is read', async () => {
    const { server, uri } = await serve(await createTcpTransport({ host: '127.0.0.1', port: 0 }), 'coap+tcp');
    const sim = await registerAndRead(server, { server: uri, endpoint: 'sim-tcp' });
    expect((await server.getRegistration('sim-tcp'))?.binding).toBe('T');
    expect(getValue(sim.devices[0]!, '/0/0/2')).toBe('/0/0/2 (Security Mode) = 3');
    await sim.close();
    expect(await server.getRegistration('sim-tcp')).toBeUndefined();
  });

  it('coaps+tcp with a TLS PSK: the server sees the identity', async () => {
    const tls: TcpTlsOptions = { pskKey: (id) => (id === 'tls-dev' ? KEY : undefined) };
    const { server, uri, identities } = await serve(
      await createTcpTransport({ host: '127.0.0.1', port: 0, tls }),
      'coaps+tcp',
    );
    const sim = await registerAndRead(server, {
      server: uri,
      endpoint: 'sim-tls',
      credentials: { psk: { identity: 'tls-dev', key: KEY } },
    });
    await waitFor(() => identities.has('sim-tls'));
    expect(identities.get('sim-tls')).toMatchObject({ kind: 'psk', identity: 'tls-dev' });
    expect(getValue(sim.devices[0]!, '/0/0/2')).toBe('/0/0/2 (Security Mode) = 0');
  });

  it('coaps+tcp with a wrong TLS PSK: the device fails with the reason, nothing registers', async () => {
    const tls: TcpTlsOptions = { pskKey: (id) => (id === 'tls-dev' ? KEY : undefined) };
    const { server, uri } = await serve(await createTcpTransport({ host: '127.0.0.1', port: 0, tls }), 'coaps+tcp');
    const sim = await startSimulator({
      server: uri,
      endpoint: 'sim-tls-bad',
      rate: 0,
      credentials: { psk: { identity: 'tls-dev', key: new Uint8Array(16) } },
    });
    cleanups.push(() => sim.close({ deregister: false }));
    const device = sim.devices[0]!;
    expect(device.state).toBe('failed');
    expect(device.lastError?.message).toMatch(/the server refused the handshake: check the credentials/);
    expect(await server.getRegistration('sim-tls-bad')).toBeUndefined();
  });

  it('coaps+tcp with X.509: --ca verifies the server, --cert/--key authenticate the device', async () => {
    const cert = readFileSync(fx.cert, 'utf8');
    const tls: TcpTlsOptions = { cert, key: readFileSync(fx.key, 'utf8'), ca: cert, requestCert: true };
    const { server, uri, identities } = await serve(
      await createTcpTransport({ host: '127.0.0.1', port: 0, tls }),
      'coaps+tcp',
    );
    const credentials = loadCredentials({ cert: fx.cert, key: fx.key, ca: fx.cert });
    const sim = await registerAndRead(server, { server: uri, endpoint: 'sim-tls-x509', credentials });
    await waitFor(() => identities.has('sim-tls-x509'));
    expect((identities.get('sim-tls-x509') as { kind: string }).kind).toBe('x509');
    expect(getValue(sim.devices[0]!, '/0/0/2')).toBe('/0/0/2 (Security Mode) = 2');
  });

  it('coap+ws: registers and is read', async () => {
    const { server, uri } = await serve(await createWsTransport({ host: '127.0.0.1', port: 0 }), 'coap+ws');
    await registerAndRead(server, { server: uri, endpoint: 'sim-ws' });
    expect((await server.getRegistration('sim-ws'))?.binding).toBe('T');
  });

  it('OSCORE on coap://: the server sees the OSCORE identity; /0/0/17 links /21/0', async () => {
    const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const layer = createOscoreLayer({ contexts: loadOscoreContextFile(fx.oscoreServer) });
    const { server, uri, identities } = await serve(transport, 'coap', { endpoint: { layers: [layer] } });
    const credentials = loadCredentials({ oscoreContext: fx.oscoreClient });
    const sim = await registerAndRead(server, { server: uri, endpoint: 'sim-oscore', credentials, rebootDelayMs: 20 });
    await waitFor(() => identities.has('sim-oscore'));
    expect(identities.get('sim-oscore')).toMatchObject({ kind: 'oscore' });
    const device = sim.devices[0]!;
    expect(getValue(device, '/0/0/2')).toBe('/0/0/2 (Security Mode) = 3');
    expect(getValue(device, '/0/0/17')).toMatch(/21:0/);
    expect(getValue(device, '/21/0/1')).toContain('01');
    // A reboot keeps the context (and its sequence numbers): the server's replay window accepts it.
    const deviceRebooted = new Promise<void>((resolve) => {
      const off = server.events.on('registered', (e) => {
        if (e.registration.endpoint !== 'sim-oscore') return;
        off();
        resolve();
      });
    });
    expect((await server.execute('sim-oscore', '/3/0/4')).code).toBe('2.04');
    await deviceRebooted;
    await device.whenSettled();
    expect(device.state).toBe('registered');
    expect((await server.read('sim-oscore', '/3/0/0')).code).toBe('2.05');
  });

  it('OSCORE with the wrong master secret: nothing registers', async () => {
    const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const layer = createOscoreLayer({ contexts: loadOscoreContextFile(fx.oscoreServer) });
    const { server, uri } = await serve(transport, 'coap', { endpoint: { layers: [layer] } });
    const { writeFileSync } = await import('node:fs');
    const bad = `${fx.dir}/oscore-wrong.json`;
    writeFileSync(bad, JSON.stringify({ senderId: '01', recipientId: '', masterSecret: 'ff'.repeat(16) }));
    const sim = createSimulator({
      server: uri,
      endpoint: 'sim-oscore-bad',
      rate: 0,
      credentials: loadCredentials({ oscoreContext: bad }),
    });
    cleanups.push(() => sim.close({ deregister: false }));
    const started = sim.start();
    const device = sim.devices[0]!;
    await waitFor(() => device.lastError !== undefined || device.state === 'failed');
    await started;
    expect(device.state).toBe('failed');
    expect(device.lastError?.message).toMatch(
      /Decryption failed: the server refused the OSCORE request: check --oscore-context/,
    );
    expect(await server.getRegistration('sim-oscore-bad')).toBeUndefined();
  });
});

describe('credential errors', () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('name the flag and what is wrong', () => {
    expect(err(() => loadCredentials({ pskIdentity: 'x' }))).toBe('PSK needs both --psk-identity ID and --psk-key HEX');
    expect(err(() => loadCredentials({ pskIdentity: 'x', pskKey: 'zz' }))).toMatch(
      /--psk-key must be an even number of hex digits/,
    );
    expect(err(() => loadCredentials({ rpk: `${fx.dir}/missing.pem` }))).toMatch(
      /--rpk .*missing\.pem: cannot read the file \(ENOENT\)/,
    );
    expect(err(() => loadCredentials({ rpk: fx.cert }))).toMatch(/--rpk .*: not a PEM private key/);
    expect(err(() => loadCredentials({ serverRpk: fx.serverRpkPublic }))).toBe(
      '--server-rpk needs --rpk FILE (the device key)',
    );
    expect(err(() => loadCredentials({ cert: fx.cert }))).toBe(
      'a client certificate needs both --cert FILE and --key FILE',
    );
    expect(err(() => loadCredentials({ ca: fx.key }))).toMatch(/--ca .*: not a PEM certificate/);
    expect(err(() => loadCredentials({ oscoreContext: fx.cert }))).toMatch(/--oscore-context .*: not JSON/);
  });

  it('a secure scheme without credentials, or credentials a scheme cannot use, are refused at start', async () => {
    await expect(startSimulator({ server: 'coaps://127.0.0.1:25999' })).rejects.toThrow(
      /coaps:\/\/ \(DTLS\) needs --psk-identity ID --psk-key HEX, --rpk FILE/,
    );
    await expect(
      startSimulator({ server: 'coap+tcp://127.0.0.1:25999', credentials: { psk: { identity: 'a', key: KEY } } }),
    ).rejects.toThrow('--psk-identity/--psk-key does not apply to coap+tcp:// URIs');
    await expect(
      startSimulator({ server: 'coaps+tcp://127.0.0.1:25999', credentials: loadCredentials({ rpk: fx.clientRpk }) }),
    ).rejects.toThrow('--rpk does not apply to coaps+tcp:// URIs');
  });
});
