import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer, DtlsAlertError, type DtlsTransport } from '../src/index';
import { nextFrame, PSK, pskLookup, serverPeer } from './helpers';
import { clientHelloRecord, cookieFromHvr, RawSocket, sleep } from './raw-client';
import { UdpProxy } from './udp-proxy';

const open: DtlsTransport[] = [];
const sockets: { close(): void }[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function server(extra: object = {}) {
  const s = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, ...extra });
  open.push(s);
  return s;
}
async function client(identity = 'CoAP', key = PSK, extra: object = {}) {
  const c = await createDtlsClient({ host: '127.0.0.1', psk: { identity, key }, ...extra });
  open.push(c);
  return c;
}

describe('handshake failures', () => {
  it('wrong PSK: the server answers the Finished with bad_record_mac and keeps no session', async () => {
    const s = await server();
    const c = await client('CoAP', Buffer.from('not-the-key'));
    const err = await c.send(serverPeer(s), Buffer.from('x')).catch((e: unknown) => e);
    expect(DtlsAlertError.isInstance(err) && err.description).toBe(20);
    await sleep(20);
    expect(s.stats()).toMatchObject({ sessions: 0, handshakes: 0, cachedSessions: 0 });
    expect(c.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('unknown identity: unknown_psk_identity alert', async () => {
    const s = await server();
    const c = await client('stranger');
    const err = await c.send(serverPeer(s), Buffer.from('x')).catch((e: unknown) => e);
    expect(DtlsAlertError.isInstance(err) && err.description).toBe(115);
    expect(s.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('no common cipher suite: handshake_failure', async () => {
    const s = await server({ cipherSuites: ['TLS_PSK_WITH_AES_128_CBC_SHA256'] });
    const c = await client('CoAP', PSK, { cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'] });
    const err = await c.send(serverPeer(s), Buffer.from('x')).catch((e: unknown) => e);
    expect(DtlsAlertError.isInstance(err) && err.description).toBe(40);
  });

  it('a client without usable credentials for its suites fails at send() and keeps no state', async () => {
    const c = await createDtlsClient({ host: '127.0.0.1', cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'] });
    open.push(c);
    await expect(
      c.send({ address: '127.0.0.1', port: 25999, key: '127.0.0.1|25999' }, Buffer.from('x')),
    ).rejects.toThrow(/no cipher suite usable/);
    expect(c.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('a silent peer makes the handshake time out after retransmissions with back-off', async () => {
    const hole = await RawSocket.open();
    sockets.push(hole);
    const c = await client('CoAP', PSK, { retransmitInitialMs: 50, limits: { handshakeTimeoutMs: 500 } });
    const port = hole.socket.address().port;
    await expect(c.send({ address: '127.0.0.1', port, key: `127.0.0.1|${port}` }, Buffer.from('x'))).rejects.toThrow(
      /timed out/,
    );
    // 50, 100, 200 ms back-off within 500 ms: the first ClientHello and three retransmissions (a fixed 50 ms
    // timer would send ten; a timer delayed by a loaded machine may lose the last one).
    expect(hole.received.length).toBeGreaterThanOrEqual(3);
    expect(hole.received.length).toBeLessThanOrEqual(4);
    expect(hole.received.every((d) => d[0] === 22 && d[13] === 1)).toBe(true);
    expect(c.stats().handshakes).toBe(0);
  });

  it('completes despite lost flights (retransmission on timer)', async () => {
    const s = await server();
    const c = await client('CoAP', PSK, { retransmitInitialMs: 50 });
    const proxy = await UdpProxy.start(s.localAddress()!.port);
    sockets.push(proxy);
    let dropped = 0;
    // Drop the first ClientHello-with-cookie and the first ClientKeyExchange flight.
    proxy.dropFromClient = (d) => {
      const hs = d[0] === 22 ? d[13] : undefined;
      if ((hs === 1 && d[13 + 12 + 2 + 32 + 1] !== 0 && dropped === 0) || (hs === 16 && dropped === 1)) {
        dropped++;
        return true;
      }
      return false;
    };
    const got = nextFrame(s);
    await c.send({ address: '127.0.0.1', port: proxy.port, key: 'p' }, Buffer.from('made it'));
    expect((await got).frame.toString()).toBe('made it');
    expect(dropped).toBe(2);
  });

  it('fragments handshake messages to a small MTU and reassembles them', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const k1 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const k2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = (k: typeof k1) => k.publicKey.export({ type: 'spki', format: 'der' });
    const s = await server({ mtu: 80, rpk: { privateKey: k1.privateKey, trusted: [spki(k2)] } });
    const c = await createDtlsClient({
      host: '127.0.0.1',
      mtu: 80,
      rpk: { privateKey: k2.privateKey, trusted: [spki(k1)] },
    });
    open.push(c);
    const got = nextFrame(s);
    await c.send(serverPeer(s), Buffer.from('tiny mtu'));
    expect((await got).frame.toString()).toBe('tiny mtu');
  });
});

describe('hostile records', () => {
  it('drops garbage and truncated datagrams silently and allocates nothing', async () => {
    const s = await server();
    const raw = await RawSocket.open();
    sockets.push(raw);
    const port = s.localAddress()!.port;
    const hello = clientHelloRecord();
    const junk = [
      Buffer.alloc(0),
      Buffer.from([22]),
      hello.subarray(0, 12),
      hello.subarray(0, 40),
      Buffer.concat([hello.subarray(0, 11), Buffer.from([0xff, 0xff]), hello.subarray(13)]),
      Buffer.from([25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 0, 2, 9, 9]),
      Buffer.from([23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]),
      ...Array.from({ length: 200 }, (_, i) => randomBytes(1 + (i % 300))),
    ];
    for (const d of junk) await raw.send(d, port);
    await sleep(100);
    expect(raw.received).toEqual([]);
    expect(s.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
    const c = await client();
    const got = nextFrame(s);
    await c.send(serverPeer(s), Buffer.from('still fine'));
    expect((await got).frame.toString()).toBe('still fine');
  });

  it('drops replayed and forged records on an established session', async () => {
    const s = await server();
    const c = await client();
    const proxy = await UdpProxy.start(s.localAddress()!.port);
    sockets.push(proxy);
    const target = { address: '127.0.0.1', port: proxy.port, key: 'p' };
    const frames: string[] = [];
    s.onReceive((f) => frames.push(Buffer.from(f).toString()));
    await c.send(target, Buffer.from('once'));
    await sleep(50);
    const data = proxy.fromClient[proxy.fromClient.length - 1]!;
    expect(data[0]).toBe(23);
    for (let i = 0; i < 3; i++) proxy.inject(data);
    const forged = Buffer.from(data);
    forged[forged.length - 1]! ^= 1;
    proxy.inject(forged);
    const bumped = Buffer.from(data);
    bumped.writeUIntBE(bumped.readUIntBE(5, 6) + 100, 5, 6); // new sequence number, old MAC
    proxy.inject(bumped);
    await sleep(100);
    expect(frames).toEqual(['once']);
    await c.send(target, Buffer.from('twice'));
    await sleep(50);
    expect(frames).toEqual(['once', 'twice']);
    expect(s.stats().sessions).toBe(1);
  });

  it('answers a cookieless ClientHello flood with HelloVerifyRequests only, keeping no per-peer state', async () => {
    const s = await server();
    const raw = await RawSocket.open();
    sockets.push(raw);
    const port = s.localAddress()!.port;
    for (let i = 0; i < 2000; i++) {
      await raw.send(clientHelloRecord(), port);
      if (i % 200 === 0) await raw.send(clientHelloRecord(randomBytes(32)), port); // forged cookies
      // Same process: let the server drain its socket so the kernel does not drop our datagrams.
      for (let w = 0; i % 50 === 49 && w < 100 && raw.received.length < i - 10; w++) await sleep(2);
    }
    await sleep(200);
    expect(s.stats()).toMatchObject({ sessions: 0, handshakes: 0, cachedSessions: 0 });
    expect(s.stats().helloVerifyRequestsSent).toBeGreaterThan(1900);
    // Each answer is a small HelloVerifyRequest: no amplification.
    expect(raw.received.every((d) => d[13] === 3 && d.length <= 60)).toBe(true);
  });

  it('bounds concurrent handshakes from cookie-valid ClientHellos (maxHandshakes)', async () => {
    const s = await server({ limits: { maxHandshakes: 3 } });
    const port = s.localAddress()!.port;
    for (let i = 0; i < 6; i++) {
      const raw = await RawSocket.open();
      sockets.push(raw);
      const random = randomBytes(32);
      await raw.send(clientHelloRecord(Buffer.alloc(0), random), port);
      await sleep(10);
      const cookie = cookieFromHvr(raw.received[0]!);
      await raw.send(clientHelloRecord(cookie, random, 1, 1), port);
    }
    await sleep(50);
    expect(s.stats()).toMatchObject({ handshakes: 3, clientHellosRefused: 3 });
  });
});

describe('restarting peers', () => {
  it('a client that restarts mid-handshake (new ClientHello random) gets a fresh handshake at once', async () => {
    const s = await server({ retransmitInitialMs: 10_000 });
    const port = s.localAddress()!.port;
    const raw = await RawSocket.open();
    sockets.push(raw);
    const random = randomBytes(32);
    await raw.send(clientHelloRecord(Buffer.alloc(0), random), port);
    await sleep(20);
    await raw.send(clientHelloRecord(cookieFromHvr(raw.received[0]!), random, 1, 1), port);
    await sleep(20);
    expect(s.stats().handshakes).toBe(1);
    // The same address starts over with a new ClientHello random (client restarted).
    raw.received.length = 0;
    const random2 = randomBytes(32);
    await raw.send(clientHelloRecord(Buffer.alloc(0), random2), port);
    await sleep(20);
    expect(raw.received[0]![13]).toBe(3); // HelloVerifyRequest, not a retransmitted ServerHello flight
    await raw.send(clientHelloRecord(cookieFromHvr(raw.received[0]!), random2, 1, 1), port);
    await sleep(20);
    expect(raw.received[1]![13]).toBe(2); // ServerHello of the new handshake
    expect(s.stats().handshakes).toBe(1);
  });
});

describe('slow PSK store', () => {
  it('a lookup that resolves after the handshake timed out leaves consistent state', async () => {
    const s = await server({
      psk: (id: string) =>
        new Promise<Buffer | undefined>((r) => setTimeout(() => r(id === 'CoAP' ? PSK : undefined), 300)),
      limits: { handshakeTimeoutMs: 100 },
    });
    const c = await client('CoAP', PSK, { limits: { handshakeTimeoutMs: 250 }, retransmitInitialMs: 1000 });
    await expect(c.send(serverPeer(s), Buffer.from('x'))).rejects.toThrow();
    await sleep(400);
    expect(s.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
    // And a patient client still gets through.
    const s2 = await server({
      psk: (id: string) =>
        new Promise<Buffer | undefined>((r) => setTimeout(() => r(id === 'CoAP' ? PSK : undefined), 50)),
    });
    const c2 = await client();
    const got = nextFrame(s2);
    await c2.send(serverPeer(s2), Buffer.from('slow but fine'));
    expect((await got).frame.toString()).toBe('slow but fine');
  });
});

describe('session limits', () => {
  it('evicts idle sessions and reports them closed', async () => {
    let now = 1_000_000;
    const s = await server({ now: () => now, limits: { idleTimeoutMs: 60_000 } });
    const c = await client();
    const closed: string[] = [];
    s.onPeerClosed((p, reason) => closed.push(`${p.identity?.kind}:${reason?.message}`));
    const got = nextFrame(s);
    await c.send(serverPeer(s), Buffer.from('hi'));
    await got;
    now += 30_000;
    s.evictIdle();
    expect(s.stats().sessions).toBe(1);
    now += 31_000;
    s.evictIdle();
    expect(s.stats().sessions).toBe(0);
    expect(closed).toEqual(['psk:idle']);
  });

  it('refuses handshakes beyond maxSessions', async () => {
    const s = await server({ limits: { maxSessions: 1 } });
    const a = await client();
    const b = await client('CoAP', PSK, { limits: { handshakeTimeoutMs: 600 }, retransmitInitialMs: 100 });
    const got = nextFrame(s);
    await a.send(serverPeer(s), Buffer.from('a'));
    await got;
    await expect(b.send(serverPeer(s), Buffer.from('b'))).rejects.toThrow(/timed out/);
    expect(s.stats()).toMatchObject({ sessions: 1 });
    expect(s.stats().clientHellosRefused).toBeGreaterThan(0);
  });
});
