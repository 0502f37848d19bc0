import { afterEach, describe, expect, it } from 'vitest';
import { type CipherSuiteName, createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { nextFrame, PSK, pskLookup, serverPeer } from './helpers';

const open: DtlsTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function pair(suite: CipherSuiteName, clientExtra: object = {}, serverExtra: object = {}) {
  const server = await createDtlsServer({
    host: '127.0.0.1',
    port: 0,
    psk: pskLookup,
    cipherSuites: [suite],
    ...serverExtra,
  });
  const client = await createDtlsClient({
    host: '127.0.0.1',
    psk: { identity: 'CoAP', key: PSK },
    cipherSuites: [suite],
    ...clientExtra,
  });
  open.push(server, client);
  return { server, client };
}

describe('PSK handshake and records', () => {
  for (const suite of [
    'TLS_PSK_WITH_AES_128_CCM_8',
    'TLS_PSK_WITH_AES_128_CBC_SHA256',
    'TLS_PSK_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256',
  ] as const) {
    it(`exchanges application data both ways with ${suite}`, async () => {
      const { server, client } = await pair(suite);
      const got = nextFrame(server);
      await client.send(serverPeer(server), Buffer.from('ping'));
      const { frame, peer } = await got;
      expect(frame.toString()).toBe('ping');
      expect(peer.identity).toEqual({ kind: 'psk', identity: 'CoAP' });
      const back = nextFrame(client);
      await server.send(peer, Buffer.from('pong'));
      const reply = await back;
      expect(reply.frame.toString()).toBe('pong');
      expect(server.stats()).toMatchObject({ sessions: 1, handshakes: 0, helloVerifyRequestsSent: 1 });
    });
  }

  it('queues several frames sent during the handshake and delivers them in order', async () => {
    const { server, client } = await pair('TLS_PSK_WITH_AES_128_CCM_8');
    const frames: string[] = [];
    const all = new Promise<void>((resolve) =>
      server.onReceive((f) => {
        frames.push(Buffer.from(f).toString());
        if (frames.length === 3) resolve();
      }),
    );
    await Promise.all(['a', 'b', 'c'].map((s) => client.send(serverPeer(server), Buffer.from(s))));
    await all;
    expect(frames).toEqual(['a', 'b', 'c']);
  });

  it('uses an identity hint and an async PSK store', async () => {
    const { server, client } = await pair(
      'TLS_PSK_WITH_AES_128_CCM_8',
      {},
      {
        identityHint: 'hint',
        psk: async (id: string) => (id === 'CoAP' ? PSK : undefined),
      },
    );
    const got = nextFrame(server);
    await client.send(serverPeer(server), Buffer.from('x'));
    expect((await got).frame.toString()).toBe('x');
  });

  it('asks for a 4 MiB receive buffer by default (many sessions burst), and takes another size', async () => {
    const { server } = await pair('TLS_PSK_WITH_AES_128_CCM_8');
    const small = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, receiveBufferSize: 64 * 1024 });
    open.push(small);
    // Linux doubles the request and caps it at net.core.rmem_max, so compare the two rather than exact sizes.
    expect(server.receiveBufferSize()).toBeGreaterThan(small.receiveBufferSize());
    expect(small.receiveBufferSize()).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('works over IPv6 loopback', async () => {
    const server = await createDtlsServer({ host: '::1', psk: pskLookup });
    const client = await createDtlsClient({ host: '::1', psk: { identity: 'CoAP', key: PSK } });
    open.push(server, client);
    const port = server.localAddress()!.port;
    const got = nextFrame(server);
    await client.send({ address: '::1', port, key: `::1|${port}` }, Buffer.from('v6'));
    const { frame, peer } = await got;
    expect(frame.toString()).toBe('v6');
    expect(peer.address).toBe('::1');
  });
});
