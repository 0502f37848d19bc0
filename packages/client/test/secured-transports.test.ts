/**
 * Accounts secured from object 0 (and 21) on loopback: bootstrap over DTLS PSK, then register
 * with the credentials the bootstrap server wrote; wrong PSK; RPK; OSCORE over UDP; queue-mode
 * sleep/wake resuming the DTLS session.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { LwM2mValue, Resource } from '@lwm2m-ts/objects';
import { createOscoreLayer, createSecurityContext } from '@lwm2m-ts/oscore';
import {
  type CoapBootstrapServer,
  type CoapLwM2mServer,
  createBootstrapServer,
  createLwM2mServer,
  InMemoryBootstrapConfigStore,
} from '@lwm2m-ts/server';
import { createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deviceInstance,
  ipsoSensor,
  LwM2mClient,
  oscoreInstance,
  SecurityMode,
  securityInstance,
  serverInstance,
} from '../src/index';
import { type BuiltTransport, testTransportFactory } from './secure-factory';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
});

const device = { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Secure Acme' }) } };

function uriOf(server: { endpoint: { transport: { localAddress(): { port: number } | undefined } } }, scheme: string) {
  return `${scheme}://127.0.0.1:${server.endpoint.transport.localAddress()!.port}`;
}

/** LwM2M server over DTLS with PSKs by identity. */
async function dtlsPskServer(keys: Record<string, Uint8Array>): Promise<CoapLwM2mServer> {
  const transport = await createDtlsServer({ host: '127.0.0.1', port: 0, psk: (id) => keys[id] });
  const server = createLwM2mServer({ transport });
  closers.push(() => server.close());
  return server;
}

function trackClient(client: LwM2mClient): LwM2mClient {
  closers.push(() => client.stop({ deregister: false }));
  return client;
}

const registeredOn = (server: CoapLwM2mServer) =>
  new Promise<{ registration: { endpoint: string; peer: { identity?: unknown } } }>((resolve) =>
    server.events.on('registered', resolve),
  );

describe('accounts secured from the Security object', () => {
  it('bootstraps over DTLS PSK, then registers over DTLS PSK with the written credentials', async () => {
    const bsKey = randomBytes(16);
    const dmKey = randomBytes(16);
    const dm = await dtlsPskServer({ 'dev-dm': dmKey });
    const bsTransport = await createDtlsServer({
      host: '127.0.0.1',
      port: 0,
      psk: (id) => (id === 'dev-bs' ? bsKey : undefined),
    });
    const configStore = new InMemoryBootstrapConfigStore();
    await configStore.put('secure-dev', {
      security: {
        1: {
          uri: uriOf(dm, 'coaps'),
          bootstrapServer: false,
          securityMode: SecurityMode.PSK,
          publicKeyOrIdentity: new TextEncoder().encode('dev-dm'),
          secretKey: dmKey,
          shortServerId: 101,
        },
      },
      servers: { 0: { shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' } },
    });
    const bs: CoapBootstrapServer = createBootstrapServer({ transport: bsTransport, configStore });
    closers.push(() => bs.close());
    const built: BuiltTransport[] = [];
    const client = trackClient(
      new LwM2mClient({
        endpointName: 'secure-dev',
        transportFactory: testTransportFactory(built),
        objects: [
          {
            id: 0,
            instances: {
              0: securityInstance({
                uri: `coaps://127.0.0.1:${bsTransport.localAddress()!.port}`,
                bootstrap: true,
                mode: SecurityMode.PSK,
                identity: 'dev-bs',
                secretKey: bsKey,
              }),
            },
          },
          { id: 1 },
          device,
        ],
      }),
    );
    const registered = registeredOn(dm);
    const finished = client.events.once('bootstrapFinished');
    await client.start();
    await finished;
    const { registration } = await registered;
    expect(registration.endpoint).toBe('secure-dev');
    expect(registration.peer.identity).toEqual({ kind: 'psk', identity: 'dev-dm' });
    // One DTLS client per account, each with that account's identity.
    expect(built.map((b) => [b.kind, b.account.pskIdentity, b.account.bootstrap])).toEqual([
      ['dtls-psk', 'dev-bs', true],
      ['dtls-psk', 'dev-dm', false],
    ]);
    const read = await dm.read('secure-dev', '/3/0/0');
    expect(read.code).toBe('2.05');
    expect(read.content).toEqual(Resource.single(0, LwM2mValue.string('Secure Acme')));
    // A server may not read the keys.
    expect((await dm.read('secure-dev', '/0')).code).toBe('4.01');
  });

  it('bootstraps over DTLS PSK, the bootstrap server writes /0 and /21, then registers over OSCORE', async () => {
    const bsKey = randomBytes(16);
    const masterSecret = randomBytes(16);
    const clientId = new Uint8Array([0x0c]);
    const serverId = new Uint8Array([0x05]);
    const dm = createLwM2mServer({
      transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
      endpoint: {
        layers: [
          createOscoreLayer({
            contexts: createSecurityContext({ masterSecret, senderId: serverId, recipientId: clientId }),
          }),
        ],
      },
    });
    closers.push(() => dm.close());
    const bsTransport = await createDtlsServer({ host: '127.0.0.1', port: 0, psk: () => bsKey });
    const configStore = new InMemoryBootstrapConfigStore();
    await configStore.put('osc-dev', {
      security: {
        2: {
          uri: uriOf(dm, 'coap'),
          bootstrapServer: false,
          securityMode: SecurityMode.NO_SEC,
          shortServerId: 7,
          oscoreInstanceId: 3,
        },
      },
      servers: { 0: { shortServerId: 7, lifetime: 300, notificationStoring: true, binding: 'U' } },
      oscore: { 3: { masterSecret, senderId: clientId, recipientId: serverId } },
    });
    const bs = createBootstrapServer({ transport: bsTransport, configStore });
    closers.push(() => bs.close());
    const built: BuiltTransport[] = [];
    const client = trackClient(
      new LwM2mClient({
        endpointName: 'osc-dev',
        transportFactory: testTransportFactory(built),
        objects: [
          {
            id: 0,
            instances: {
              0: securityInstance({
                uri: `coaps://127.0.0.1:${bsTransport.localAddress()!.port}`,
                bootstrap: true,
                mode: SecurityMode.PSK,
                identity: 'osc-bs',
                secretKey: bsKey,
              }),
            },
          },
          { id: 1 },
          { id: 21 },
          device,
        ],
      }),
    );
    const registered = registeredOn(dm);
    await client.start();
    const { registration } = await registered;
    expect(built.map((b) => [b.kind, b.account.shortServerId ?? 'bs'])).toEqual([
      ['dtls-psk', 'bs'],
      ['oscore', 7],
    ]);
    const written = built[1]!.account.oscore!;
    expect([written.instanceId, [...written.masterSecret], [...written.senderId], [...written.recipientId]]).toEqual([
      3,
      [...masterSecret],
      [...clientId],
      [...serverId],
    ]);
    expect(registration.peer.identity).toMatchObject({ kind: 'oscore' });
    expect((await dm.read('osc-dev', '/3/0/0')).code).toBe('2.05');
  });

  it('a wrong PSK in object 0 fails registration with a clear registrationFailed event', async () => {
    const dm = await dtlsPskServer({ 'dev-dm': randomBytes(16) });
    const client = trackClient(
      new LwM2mClient({
        endpointName: 'wrong-psk',
        transportFactory: testTransportFactory(),
        objects: [
          {
            id: 0,
            instances: {
              0: securityInstance({
                uri: uriOf(dm, 'coaps'),
                shortServerId: 1,
                mode: SecurityMode.PSK,
                identity: 'dev-dm',
                secretKey: randomBytes(16),
              }),
            },
          },
          { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300, retryCount: 1 }) } },
          device,
        ],
      }),
    );
    let registrations = 0;
    dm.events.on('registered', () => registrations++);
    const failed = client.events.once('registrationFailed');
    await client.start();
    const { shortServerId, error } = await failed;
    expect(shortServerId).toBe(1);
    expect(error.name).toBe('RegistrationFailedError');
    expect(error.message).toMatch(/^registration to coaps:\/\/127\.0\.0\.1:\d+ failed after 1 attempt: /);
    // The DTLS server's verdict on our Finished (a wrong PSK) is in the message and the cause.
    expect(error.message).toMatch(/cannot reach 127\.0\.0\.1:\d+: peer sent fatal alert badRecordMac$/);
    expect(error.cause).toBeInstanceOf(Error);
    expect(client.servers()).toEqual([expect.objectContaining({ shortServerId: 1, registered: false })]);
    expect(registrations).toBe(0);
  });

  it('RPK: registers with the raw public keys of object 0 and is read', async () => {
    const key = () => {
      const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return {
        privateKey: k.privateKey,
        pkcs8: new Uint8Array(k.privateKey.export({ format: 'der', type: 'pkcs8' })),
        spki: new Uint8Array(k.publicKey.export({ format: 'der', type: 'spki' })),
      };
    };
    const serverKey = key();
    const clientKey = key();
    const transport = await createDtlsServer({
      host: '127.0.0.1',
      port: 0,
      rpk: { privateKey: serverKey.privateKey, trusted: [clientKey.spki] },
    });
    const dm = createLwM2mServer({ transport });
    closers.push(() => dm.close());
    const built: BuiltTransport[] = [];
    const client = trackClient(
      new LwM2mClient({
        endpointName: 'rpk-dev',
        transportFactory: testTransportFactory(built),
        objects: [
          {
            id: 0,
            instances: {
              0: securityInstance({
                uri: uriOf(dm, 'coaps'),
                shortServerId: 1,
                mode: SecurityMode.RPK,
                identity: clientKey.spki,
                serverPublicKey: serverKey.spki,
                secretKey: clientKey.pkcs8,
              }),
            },
          },
          { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
          device,
        ],
      }),
    );
    const registered = registeredOn(dm);
    await client.start();
    const { registration } = await registered;
    expect(built.map((b) => b.kind)).toEqual(['dtls-rpk']);
    expect(registration.peer.identity).toMatchObject({ kind: 'rpk' });
    expect(new Uint8Array((registration.peer.identity as { publicKey: Uint8Array }).publicKey)).toEqual(clientKey.spki);
    expect((await dm.read('rpk-dev', '/3/0/0')).content).toEqual(Resource.single(0, LwM2mValue.string('Secure Acme')));
  });

  it('OSCORE: object 0 links object 21, whose context protects Register and the server Read over UDP', async () => {
    const masterSecret = randomBytes(16);
    const masterSalt = randomBytes(8);
    const clientId = new Uint8Array([0x01]);
    const serverId = new Uint8Array([0x02]);
    const sensor = ipsoSensor({ value: 20, units: 'Cel' });
    const serverContext = createSecurityContext({
      masterSecret,
      masterSalt,
      senderId: serverId,
      recipientId: clientId,
    });
    const dm = createLwM2mServer({
      transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
      endpoint: { layers: [createOscoreLayer({ contexts: serverContext })] },
    });
    closers.push(() => dm.close());
    const built: BuiltTransport[] = [];
    const client = trackClient(
      new LwM2mClient({
        endpointName: 'oscore-dev',
        transportFactory: testTransportFactory(built),
        objects: [
          {
            id: 0,
            instances: {
              0: securityInstance({
                uri: uriOf(dm, 'coap'),
                shortServerId: 1,
                mode: SecurityMode.NO_SEC,
                oscoreInstanceId: 4,
              }),
            },
          },
          { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
          device,
          { id: 3303, instances: { 0: sensor } },
          {
            id: 21,
            instances: { 4: oscoreInstance({ masterSecret, masterSalt, senderId: clientId, recipientId: serverId }) },
          },
        ],
      }),
    );
    const registered = registeredOn(dm);
    await client.start();
    const { registration } = await registered;
    expect(built.map((b) => [b.kind, b.account.oscore?.instanceId])).toEqual([['oscore', 4]]);
    expect(registration.peer.identity).toMatchObject({ kind: 'oscore' });
    expect(new Uint8Array((registration.peer.identity as { recipientId: Uint8Array }).recipientId)).toEqual(clientId);
    expect((await dm.read('oscore-dev', '/3/0/0')).content).toEqual(
      Resource.single(0, LwM2mValue.string('Secure Acme')),
    );
    // Object 21 holds keys: hidden from the registration, refused to servers.
    expect(registration).not.toHaveProperty(
      'objectLinks',
      expect.arrayContaining([expect.objectContaining({ path: '/21' })]),
    );
    expect((await dm.read('oscore-dev', '/21/4')).code).toBe('4.01');
    // Observe over OSCORE: the notification is found by the OSCORE peer and protected.
    const notified = new Promise<unknown>((resolve) => dm.events.on('notification', (n) => resolve(n.content)));
    await dm.observe('oscore-dev', '/3303/0/5700');
    sensor.update(23.5);
    expect(await notified).toEqual(Resource.single(5700, LwM2mValue.float(23.5)));
  });

  it('queue mode over DTLS: sleep parks the session, wake-up resumes it and the server reads again', async () => {
    const key = randomBytes(16);
    // The server looks a PSK up for full handshakes only: an abbreviated one reuses the session.
    let pskLookups = 0;
    const dmTransport = await createDtlsServer({
      host: '127.0.0.1',
      port: 0,
      psk: (id) => {
        pskLookups++;
        return id === 'q' ? key : undefined;
      },
    });
    const dm = createLwM2mServer({ transport: dmTransport });
    closers.push(() => dm.close());
    const built: BuiltTransport[] = [];
    const client = trackClient(
      new LwM2mClient({
        endpointName: 'queue-dtls',
        queueMode: { awakeTimeMs: 60_000 },
        transportFactory: testTransportFactory(built),
        objects: [
          {
            id: 0,
            instances: {
              0: securityInstance({
                uri: uriOf(dm, 'coaps'),
                shortServerId: 1,
                mode: SecurityMode.PSK,
                identity: 'q',
                secretKey: key,
              }),
            },
          },
          { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
          device,
        ],
      }),
    );
    const registered = registeredOn(dm);
    await client.start();
    await registered;
    const dtls = built[0]!.dtls!;
    expect(dtls.stats()).toMatchObject({ sessions: 1, cachedSessions: 1 });

    client.sleep();
    expect(client.sleeping).toBe(true);
    // close_notify went out: no live session on either side, the client keeps the resumable one.
    await until(() => dtls.stats().sessions === 0 && dmTransport.stats().sessions === 0);
    expect(dtls.stats().cachedSessions).toBe(1);
    const serverHellosBefore = dmTransport.stats().helloVerifyRequestsSent;
    expect(pskLookups).toBe(1);

    const updated = new Promise((resolve) => dm.events.on('updated', resolve));
    await client.wakeAndUpdate();
    await updated;
    expect(client.sleeping).toBe(false);
    expect(client.servers()).toEqual([expect.objectContaining({ registered: true })]);
    expect(dtls.stats()).toMatchObject({ sessions: 1, cachedSessions: 1 });
    expect(dmTransport.stats().sessions).toBe(1);
    // A new handshake ran (cookie exchange), but no PSK lookup: it was the abbreviated one.
    expect(dmTransport.stats().helloVerifyRequestsSent).toBe(serverHellosBefore + 1);
    expect(pskLookups).toBe(1);
    expect((await dm.read('queue-dtls', '/3/0/0')).code).toBe('2.05');
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
