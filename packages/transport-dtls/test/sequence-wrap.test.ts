/**
 * The 48-bit record sequence number must not wrap within an epoch (RFC 6347 4.1) and we refuse renegotiation, so a
 * session whose write counter is used up closes with close_notify (sent with the last number, 2^48 - 1) and stays
 * resumable; the client side re-handshakes (abbreviated) on its next send, transparently to the caller.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ContentType, MAX_SEQUENCE } from '../src/constants';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { parseRecords } from '../src/record/record';
import { CONNECTION_OF } from '../src/transport/test-hooks';
import { nextFrame, PSK, pskLookup } from './helpers';
import { clientHelloRecord, cookieFromHvr, RawSocket, sleep } from './raw-client';
import { UdpProxy } from './udp-proxy';

const open: DtlsTransport[] = [];
const proxies: UdpProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** Client -> proxy -> server, one established session; the proxy records every datagram both ways. */
async function session() {
  const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
  const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK } });
  open.push(server, client);
  const proxy = await UdpProxy.start(server.localAddress()!.port);
  proxies.push(proxy);
  const target = { address: '127.0.0.1', port: proxy.port, key: `127.0.0.1|${proxy.port}` };
  const first = nextFrame(server);
  await client.send(target, Buffer.from('hello'));
  const devicePeer = (await first).peer;
  return { server, client, proxy, target, devicePeer };
}

const epoch1 = (datagrams: Buffer[]) =>
  datagrams.flatMap((d) => parseRecords(d, 0)).filter((r) => r.epoch === 1 && r.type !== ContentType.handshake);

const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('48-bit sequence number exhaustion', () => {
  it('client: uses 2^48 - 3 and 2^48 - 2, closes with close_notify at 2^48 - 1, then resumes in a new session', async () => {
    const { server, client, proxy, target } = await session();
    client[CONNECTION_OF](target)!.fastForwardWriteSequence(MAX_SEQUENCE - 2);
    const received: string[] = [];
    server.onReceive((f) => received.push(Buffer.from(f).toString()));
    const closed: Array<string | undefined> = [];
    server.onPeerClosed((_p, reason) => closed.push(reason?.message));
    proxy.fromClient.length = 0;

    for (const text of ['a', 'b', 'c', 'd']) await client.send(target, Buffer.from(text));
    await waitFor(() => received.length === 4);
    expect(received).toEqual(['a', 'b', 'c', 'd']);

    const records = epoch1(proxy.fromClient);
    // 'a' and 'b' in the old session, close_notify (an encrypted alert) with the last number, then 'c' and 'd'
    // at the start of the new session's epoch 1.
    expect(records.slice(0, 3).map((r) => [r.type, r.seq])).toEqual([
      [ContentType.applicationData, MAX_SEQUENCE - 2],
      [ContentType.applicationData, MAX_SEQUENCE - 1],
      [ContentType.alert, MAX_SEQUENCE],
    ]);
    expect(records.every((r) => r.seq <= MAX_SEQUENCE)).toBe(true);
    const after = records.slice(3).filter((r) => r.type === ContentType.applicationData);
    expect(after.map((r) => r.seq)).toEqual([1, 2]); // seq 0 of epoch 1 was the new Finished
    // The server saw an orderly close, and the new session resumed the old one: an abbreviated handshake, in
    // which the client sends no ClientKeyExchange (handshake type 16) in epoch 0.
    expect(closed).toEqual([undefined]);
    const plainHandshake = proxy.fromClient
      .flatMap((d) => parseRecords(d, 0))
      .filter((r) => r.epoch === 0 && r.type === ContentType.handshake);
    expect(plainHandshake.length).toBeGreaterThan(0);
    expect(plainHandshake.map((r) => r.fragment[0])).not.toContain(16);
    expect(server.stats()).toMatchObject({ sessions: 1, handshakes: 0 });
    expect(client.stats()).toMatchObject({ sessions: 1, handshakes: 0 });
  });

  it('a sequence number never repeats: the old session refuses to seal past 2^48 - 1', async () => {
    const { client, target } = await session();
    const conn = client[CONNECTION_OF](target)!;
    conn.fastForwardWriteSequence(MAX_SEQUENCE);
    expect(conn.writeSequenceExhausted).toBe(true);
    // Sending on the connection directly (bypassing the transport's re-handshake) closes it and throws.
    expect(() => conn.sendApplicationData(Buffer.from('x'))).toThrow(/sequence numbers exhausted/);
    expect(conn.state).toBe('closed');
    expect(() => conn.fastForwardWriteSequence(MAX_SEQUENCE + 1)).toThrow(RangeError);
  });

  it('server: its counter runs out -> close_notify to the client, send() rejects; the client handshakes again', async () => {
    const { server, client, proxy, target, devicePeer } = await session();
    server[CONNECTION_OF](devicePeer)!.fastForwardWriteSequence(MAX_SEQUENCE - 1);
    const clientGot: string[] = [];
    client.onReceive((f) => clientGot.push(Buffer.from(f).toString()));
    const clientClosed: Array<string | undefined> = [];
    client.onPeerClosed((_p, reason) => clientClosed.push(reason?.message));
    proxy.toClient.length = 0;

    await server.send(devicePeer, Buffer.from('last'));
    await expect(server.send(devicePeer, Buffer.from('too many'))).rejects.toThrow(/sequence numbers exhausted/);
    await waitFor(() => clientClosed.length === 1);
    expect(clientGot).toEqual(['last']);
    expect(clientClosed).toEqual([undefined]); // an orderly close_notify
    expect(epoch1(proxy.toClient).map((r) => [r.type, r.seq])).toEqual([
      [ContentType.applicationData, MAX_SEQUENCE - 1],
      [ContentType.alert, MAX_SEQUENCE],
    ]);

    // The client's next send runs a new handshake and the server answers in the new session.
    const got = nextFrame(server);
    await client.send(target, Buffer.from('again'));
    const { frame, peer } = await got;
    expect(frame.toString()).toBe('again');
    await server.send(peer, Buffer.from('welcome back'));
    await waitFor(() => clientGot.length === 2);
    expect(clientGot).toEqual(['last', 'welcome back']);
  });

  it('accepts records up to 2^48 - 1 from the peer and drops a wrapped (reused) sequence number', async () => {
    const { server, client, proxy, target } = await session();
    const conn = client[CONNECTION_OF](target)!;
    conn.fastForwardWriteSequence(MAX_SEQUENCE - 1);
    const received: string[] = [];
    server.onReceive((f) => received.push(Buffer.from(f).toString()));
    proxy.fromClient.length = 0;
    await client.send(target, Buffer.from('edge'));
    await waitFor(() => received.length === 1);
    // Replaying the record (as a wrapped counter would reuse a number) is dropped by the replay window.
    proxy.inject(proxy.fromClient[0]!);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toEqual(['edge']);
  });

  it('a ClientHello whose record sequence number leaves no room for a handshake gets no answer', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
    open.push(server);
    const port = server.localAddress()!.port;
    const raw = await RawSocket.open();
    try {
      const random = Buffer.alloc(32, 7);
      await raw.send(clientHelloRecord(Buffer.alloc(0), random, 0), port);
      await waitFor(() => raw.received.length === 1);
      const cookie = cookieFromHvr(raw.received[0]!);
      // With a valid cookie but a record number at the very end of the space: dropped, no state.
      await raw.send(clientHelloRecord(cookie, random, MAX_SEQUENCE - 10, 1), port);
      await sleep(100);
      expect(raw.received).toHaveLength(1);
      expect(server.stats().handshakes).toBe(0);
      // The same ClientHello at an ordinary number starts a handshake (ServerHello flight).
      await raw.send(clientHelloRecord(cookie, random, 1, 1), port);
      await waitFor(() => raw.received.length === 2);
      expect(raw.received).toHaveLength(2);
      expect(server.stats().handshakes).toBe(1);
    } finally {
      raw.close();
    }
  });
});
