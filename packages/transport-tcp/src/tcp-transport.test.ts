import { connect } from 'node:net';
import type { Peer } from '@lwm2m-ts/coap';
import { CoapCode, createMessage, decodeReliable, encodeReliable, readAbort } from '@lwm2m-ts/codec';
import { selfSignedCertificate } from '@lwm2m-ts/test-pki';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTcpTransport, type TcpTransport } from './tcp-transport';

const open: TcpTransport[] = [];
const make = async (options: Parameters<typeof createTcpTransport>[0]) => {
  const t = await createTcpTransport(options);
  open.push(t);
  return t;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const get = (tokenByte: number, payload = '') =>
  encodeReliable(
    createMessage({
      code: CoapCode.GET,
      token: new Uint8Array([tokenByte]),
      payload: new TextEncoder().encode(payload),
    }),
    'tcp',
  );
const nextFrame = (t: TcpTransport) =>
  new Promise<{ frame: Uint8Array; peer: Peer }>((resolve) => t.onReceive((frame, peer) => resolve({ frame, peer })));

describe('createTcpTransport over TCP', () => {
  it('connects on first send and carries frames both ways on one connection', async () => {
    const server = await make({ host: '127.0.0.1', port: 0 });
    const client = await make({});
    expect(server.scheme).toBe('coap+tcp');
    expect(server.reliable).toBe(true);
    expect(server.framing).toBe('stream');
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const atServer = nextFrame(server);
    await client.send(peer, get(1, 'hello'));
    const got = await atServer;
    expect(new TextDecoder().decode(decodeReliable(got.frame, 'tcp').payload)).toBe('hello');
    const atClient = nextFrame(client);
    await server.send(got.peer, get(2, 'back'));
    const back = await atClient;
    expect(new TextDecoder().decode(decodeReliable(back.frame, 'tcp').payload)).toBe('back');
    expect(back.peer.key).toBe(peer.key);
    expect(client.connectionCount).toBe(1);
    expect(server.connectionCount).toBe(1);
  });

  it('delivers many pipelined frames in order', async () => {
    const server = await make({ host: '127.0.0.1', port: 0 });
    const client = await make({});
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const seen: number[] = [];
    const done = new Promise<void>((resolve) =>
      server.onReceive((frame) => {
        seen.push(decodeReliable(frame, 'tcp').token[0]!);
        if (seen.length === 200) resolve();
      }),
    );
    await Promise.all(Array.from({ length: 200 }, (_, i) => client.send(peer, get(i % 256, 'x'.repeat(i)))));
    await done;
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i % 256));
  });

  it('reports a closed connection to both sides through onPeerClosed', async () => {
    const server = await make({ host: '127.0.0.1', port: 0 });
    const client = await make({});
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const atServer = nextFrame(server);
    await client.send(peer, get(1));
    const { peer: clientAtServer } = await atServer;
    const serverSaw = new Promise<Peer>((resolve) => server.onPeerClosed?.((p) => resolve(p)));
    const clientSaw = new Promise<Peer>((resolve) => client.onPeerClosed?.((p) => resolve(p)));
    client.disconnect(peer);
    expect((await serverSaw).key).toBe(clientAtServer.key);
    expect((await clientSaw).key).toBe(peer.key);
    expect(client.connectionCount).toBe(0);
  });

  it('answers a frame beyond Max-Message-Size with Abort and closes only that connection', async () => {
    const server = await make({ host: '127.0.0.1', port: 0, maxMessageSize: 256 });
    const port = server.localAddress()!.port;
    const good = await make({});
    const goodPeer = await good.resolvePeer('127.0.0.1', port);
    const atServer = nextFrame(server);
    await good.send(goodPeer, get(1));
    await atServer;

    const raw = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    raw.on('data', (c) => received.push(c));
    const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    raw.write(get(9, 'y'.repeat(1000)));
    await closed;
    const abort = decodeReliable(new Uint8Array(Buffer.concat(received)), 'tcp');
    expect(abort.code).toBe(CoapCode.ABORT);
    expect(readAbort(abort).diagnostic).toMatch(/exceeds Max-Message-Size 256/);

    // The other connection still works.
    const again = nextFrame(server);
    await good.send(goodPeer, get(2, 'still here'));
    expect(new TextDecoder().decode(decodeReliable((await again).frame, 'tcp').payload)).toBe('still here');
  });

  it('aborts a connection whose frame never completes (slowloris)', async () => {
    const server = await make({ host: '127.0.0.1', port: 0, frameTimeoutMs: 150 });
    const raw = connect(server.localAddress()!.port, '127.0.0.1');
    const received: Buffer[] = [];
    raw.on('data', (c) => received.push(c));
    const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    raw.write(get(1, 'z'.repeat(100)).subarray(0, 20));
    await closed;
    const abort = decodeReliable(new Uint8Array(Buffer.concat(received)), 'tcp');
    expect(readAbort(abort).diagnostic).toMatch(/incomplete frame/);
  });

  it('rejects a send when nothing listens, with a clear message', async () => {
    const probe = await make({ host: '127.0.0.1', port: 0 });
    const port = probe.localAddress()!.port;
    await probe.close();
    const client = await make({});
    await expect(client.send(await client.resolvePeer('127.0.0.1', port), get(1))).rejects.toThrow(
      /cannot connect to coap\+tcp:\/\/127\.0\.0\.1/,
    );
  });

  it('listens on IPv6 loopback', async () => {
    const server = await make({ host: '::1', port: 0 });
    const client = await make({});
    const peer = await client.resolvePeer('[::1]', server.localAddress()!.port);
    const atServer = nextFrame(server);
    await client.send(peer, get(3, 'v6'));
    const got = await atServer;
    expect(got.peer.address).toBe('::1');
  });
});

describe('createTcpTransport over TLS', () => {
  let cert: string;
  let key: string;
  beforeAll(() => {
    ({ certificate: cert, privateKey: key } = selfSignedCertificate('device-42', 'IP:127.0.0.1'));
  });

  it('authenticates a client certificate and exposes its subject as the peer identity', async () => {
    const server = await make({ host: '127.0.0.1', port: 0, tls: { cert, key, ca: cert, requestCert: true } });
    const client = await make({ tls: { cert, key, ca: cert } });
    expect(server.scheme).toBe('coaps+tcp');
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const atServer = nextFrame(server);
    await client.send(peer, get(1, 'secret'));
    const got = await atServer;
    expect(got.peer.identity).toMatchObject({ kind: 'x509', subject: 'CN=device-42' });
    expect(new TextDecoder().decode(decodeReliable(got.frame, 'tcp').payload)).toBe('secret');
  });

  it('authenticates with a pre-shared key and names the PSK identity', async () => {
    const secret = new TextEncoder().encode('secretPSK');
    const server = await make({
      host: '127.0.0.1',
      port: 0,
      tls: { pskKey: (id) => (id === 'CoAP' ? secret : undefined) },
    });
    const client = await make({ tls: { psk: { identity: 'CoAP', key: secret } } });
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const atServer = nextFrame(server);
    await client.send(peer, get(1, 'psk'));
    const got = await atServer;
    expect(got.peer.identity).toEqual({ kind: 'psk', identity: 'CoAP' });
  });

  it('refuses a client with the wrong pre-shared key (no frame delivered)', async () => {
    const server = await make({
      host: '127.0.0.1',
      port: 0,
      tls: { pskKey: (id) => (id === 'CoAP' ? new TextEncoder().encode('secretPSK') : undefined) },
    });
    let delivered = false;
    server.onReceive(() => {
      delivered = true;
    });
    const client = await make({ tls: { psk: { identity: 'CoAP', key: new TextEncoder().encode('wrong') } } });
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    await expect(client.send(peer, get(1))).rejects.toThrow();
    expect(delivered).toBe(false);
    expect(server.connectionCount).toBe(0);
  });
});
