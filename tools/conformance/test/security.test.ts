/**
 * Registration authorization at the LwM2M level: the server's security store binds endpoint
 * "dev-a" to PSK identity A; the transport's authenticated identity decides, never the name.
 */
import { type ClientEvents, LwM2mClient, securityInstance, serverInstance } from '@lwm2m-ts/client';
import { Endpoint, type Transport } from '@lwm2m-ts/coap';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createLwM2mServer, InMemorySecurityStore } from '@lwm2m-ts/server';
import { afterEach, describe, expect, it } from 'vitest';
import { psk, pskLookup } from '../src/credentials';
import { connect, until, within } from '../src/pair';
import { PSK_STACKS } from '../src/security-stacks';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

describe.each(PSK_STACKS)('LwM2M registration security over $name', (stack) => {
  async function world() {
    const a = psk('identity-a');
    const serverTransport = await stack.server(pskLookup(a));
    const securityStore = new InMemorySecurityStore([{ endpoint: 'dev-a', psk: a }]);
    const server = createLwM2mServer({ transport: serverTransport, securityStore });
    closers.push(() => server.close());
    const registered: string[] = [];
    server.events.on('registered', ({ registration }) => registered.push(registration.endpoint));
    const uri = `${stack.scheme}://127.0.0.1:${serverTransport.localAddress()!.port}`;
    return { a, server, serverTransport, uri, registered };
  }

  /** A bare LwM2M client registering as `endpointName`, started but not awaited. */
  function bareClient(endpointName: string, transport: Transport, uri: string) {
    const client = new LwM2mClient({
      endpointName,
      transport,
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri, shortServerId: 1 }) } },
        { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
      ],
    });
    closers.push(() => client.stop({ deregister: false }));
    const failure = new Promise<ClientEvents['registrationRetry'] | ClientEvents['registrationFailed']>((resolve) => {
      client.events.on('registrationRetry', resolve);
      client.events.on('registrationFailed', resolve);
    });
    let registered = false;
    client.events.on('registered', () => {
      registered = true;
    });
    const started = client.start();
    started.catch(() => {});
    return { started, failure, registered: () => registered };
  }

  it('identity A registering as "dev-b" gets 4.03 and nothing is stored; as "dev-a" it registers', async () => {
    const { a, server, uri, registered } = await world();
    // Raw CoAP first, to see the exact answer to the Register.
    const raw = new Endpoint({ transport: await stack.client(a) });
    closers.push(() => raw.close());
    const refused = await within(
      raw.request({
        method: 'POST',
        uri: `${uri}/rd?ep=dev-b&lt=300&lwm2m=1.1&b=U`,
        contentFormat: ContentFormat.LINK_FORMAT,
        payload: new TextEncoder().encode('</3/0>'),
      }),
      15_000,
      'raw Register as dev-b',
    );
    expect(refused.codeText).toBe('4.03');
    // The LwM2M client sees the same refusal.
    const thief = bareClient('dev-b', await stack.client(a), uri);
    await within(thief.started, 15_000, 'dev-b start');
    expect(String((await within(thief.failure, 15_000, 'dev-b failure')).error)).toContain('4.03');
    expect(thief.registered()).toBe(false);
    expect(await server.listRegistrations()).toEqual([]);
    expect(registered).toEqual([]);

    const pair = await connect(server, {
      endpointName: 'dev-a',
      transport: await stack.client(a),
      serverUri: uri,
    });
    closers.push(() => pair.close());
    expect(pair.registration.peer.identity).toEqual({ kind: 'psk', identity: 'identity-a' });
    expect((await server.listRegistrations()).map((r) => r.endpoint)).toEqual(['dev-a']);
    expect(registered).toEqual(['dev-a']);
  });

  it('identity A with the wrong key gets no session and no registration', async () => {
    const { a, server, serverTransport, uri, registered } = await world();
    const wrongKey = { identity: a.identity, key: a.key.map((b) => b ^ 0xff) };
    const port = serverTransport.localAddress()!.port;
    const raw = await stack.client(wrongKey);
    closers.push(() => raw.close());
    const peer = await raw.resolvePeer!('127.0.0.1', port);
    await expect(
      within(raw.send(peer, new Uint8Array([0x40, 0x01, 0x00, 0x01])), 15_000, 'raw send'),
    ).rejects.toThrow();
    const impostor = bareClient('dev-a', await stack.client(wrongKey), uri);
    // Give the client time for its Register (and retransmissions) to fail the handshake again.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(impostor.registered()).toBe(false);
    await until(() => stack.sessions(serverTransport) === 0, 5_000, 'no session left on the server');
    expect(await server.listRegistrations()).toEqual([]);
    expect(registered).toEqual([]);
  });

  // The handshake fails in milliseconds; the client must not wait for CoAP retransmissions
  // (~93 s on DTLS) to learn that.
  it('the client reports a failed handshake as a registration failure within 5 s', async () => {
    const { a, uri } = await world();
    const impostor = bareClient(
      'dev-a',
      await stack.client({ identity: a.identity, key: a.key.map((b) => b ^ 0x0f) }),
      uri,
    );
    const failure = await within(impostor.failure, 5_000, 'registration failure event');
    expect(String(failure.error)).not.toContain('4.03'); // the handshake refused it, not the server
  });
});
