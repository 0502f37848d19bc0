/**
 * DTLS Connection ID (RFC 9146) at the LwM2M level: the client's source address changes mid-session
 * (a NAT rebinding, played by a relay: the client API binds one socket for its lifetime and offers
 * no way to move a live session to another socket), and registration and observation survive.
 */
import { createLwM2mServer, InMemorySecurityStore, type Notification } from '@lwm2m-ts/server';
import { createDtlsClient, createDtlsServer } from '@lwm2m-ts/transport-dtls';
import { afterEach, describe, expect, it } from 'vitest';
import { psk, pskLookup } from '../src/credentials';
import { connect, type LwM2mPair, until, within } from '../src/pair';
import { RebindingUdpProxy } from '../src/rebinding-udp-proxy';

let pair: LwM2mPair | undefined;
afterEach(async () => {
  await pair?.close();
});

describe('DTLS 1.2 with Connection ID: the client moves to a new source port', () => {
  it('keeps the registration, the observation and server-to-client requests on the same session', async () => {
    const credential = psk('cid-dev-identity');
    const serverTransport = await createDtlsServer({ host: '127.0.0.1', port: 0, psk: pskLookup(credential), cid: 6 });
    const securityStore = new InMemorySecurityStore([{ endpoint: 'cid-dev', psk: credential }]);
    const server = createLwM2mServer({ transport: serverTransport, securityStore });
    const proxy = await RebindingUdpProxy.start(serverTransport.localAddress()!.port);
    pair = await connect(
      server,
      {
        endpointName: 'cid-dev',
        transport: await createDtlsClient({ host: '127.0.0.1', psk: credential, cid: true }),
        serverUri: `coaps://127.0.0.1:${proxy.port}`,
      },
      'psk',
      () => proxy.close(),
    );
    const { device, registration } = pair;
    expect(registration.peer.key).toMatch(/^dtls-cid:[0-9a-f]{12}$/);
    expect(registration.peer.port).toBe(proxy.upstreamPort);
    const moves: { port: number; previousPort: number }[] = [];
    serverTransport.onPeerAddressChanged((peer, previous) =>
      moves.push({ port: peer.port, previousPort: previous.port }),
    );

    const observation = await within(server.observe('cid-dev', '/3303/0/5700'), 10_000, 'observe');
    expect(observation.isSuccess()).toBe(true);
    const values: number[] = [];
    server.events.on('notification', (n: Notification) => {
      const v = n.content?.kind === 'resource' && !n.content.multiple ? n.content.value.value : undefined;
      if (n.observation.id === observation.info!.id && typeof v === 'number') values.push(v);
    });
    device.sensor.update(25);
    await until(() => values.includes(25), 5_000, 'notification before the move');

    const oldPort = proxy.upstreamPort;
    await proxy.rebind();
    expect(proxy.upstreamPort).not.toBe(oldPort);

    // Client -> server from the new port: the session follows the CID, the notification arrives.
    device.sensor.update(26);
    await until(() => values.includes(26), 5_000, 'notification after the move');
    expect(moves).toEqual([{ port: proxy.upstreamPort, previousPort: oldPort }]);
    // Server -> client: the registration's peer (same CID key) now reaches the new address.
    const read = await within(server.read('cid-dev', '/3/0/0'), 10_000, 'read after the move');
    expect(read.code).toBe('2.05');

    // An Update from the new address keeps the registration id and the observation.
    const updated = new Promise<void>((resolve) => server.events.once('updated', () => resolve()));
    await within(device.client.triggerUpdate(1), 10_000, 'update');
    await within(updated, 10_000, 'updated event');
    const after = await server.getRegistration('cid-dev');
    expect(after?.id).toBe(registration.id);
    expect(after?.peer.key).toBe(registration.peer.key);
    expect(after?.peer.port).toBe(proxy.upstreamPort);
    expect((await server.listObservations('cid-dev')).map((o) => o.id)).toEqual([observation.info!.id]);
    device.sensor.update(27);
    await until(() => values.includes(27), 5_000, 'notification after the Update');
    expect(values).toEqual([25, 26, 27]);
    expect(serverTransport.stats().sessions).toBe(1); // no second handshake
  });
});
