import { createSocket } from 'node:dgram';
import type { Peer } from '@lwm2m-ts/coap';
import { afterEach, describe, expect, it } from 'vitest';
import { createUdpTransport, MAX_UDP_PAYLOAD, PeerCache, type UdpTransport } from './udp-transport';
import { UdpTransportError } from './udp-transport-error';

const open: UdpTransport[] = [];
async function transport(options: Parameters<typeof createUdpTransport>[0]): Promise<UdpTransport> {
  const t = await createUdpTransport(options);
  open.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

function nextFrame(t: UdpTransport): Promise<{ frame: Uint8Array; peer: Peer }> {
  return new Promise((resolve) => t.onReceive((frame, peer) => resolve({ frame, peer })));
}

describe('createUdpTransport', () => {
  it('has the datagram transport shape', async () => {
    const t = await transport({ host: '127.0.0.1' });
    expect(t.reliable).toBe(false);
    expect(t.framing).toBe('datagram');
    expect(t.scheme).toBe('coap');
    expect(t.type).toBe('udp4');
    const local = t.localAddress();
    expect(local?.address).toBe('127.0.0.1');
    expect(local?.port).toBeGreaterThan(0);
  });

  it('exchanges datagrams over IPv4 loopback in both directions', async () => {
    const a = await transport({ host: '127.0.0.1' });
    const b = await transport({ host: '127.0.0.1' });
    const bPeer = await a.resolvePeer('127.0.0.1', b.localAddress()!.port);
    const atB = nextFrame(b);
    await a.send(bPeer, new Uint8Array([0x40, 0x01, 0x12, 0x34]));
    const got = await atB;
    expect([...got.frame]).toEqual([0x40, 0x01, 0x12, 0x34]);
    expect(got.peer.address).toBe('127.0.0.1');
    expect(got.peer.port).toBe(a.localAddress()!.port);
    expect(got.peer.key).toBe(`127.0.0.1|${a.localAddress()!.port}`);
    const atA = nextFrame(a);
    await b.send(got.peer, new Uint8Array([0x60, 0x45, 0x12, 0x34]));
    expect([...(await atA).frame]).toEqual([0x60, 0x45, 0x12, 0x34]);
  });

  it('exchanges datagrams over IPv6 loopback (type taken from the host)', async () => {
    const a = await transport({ host: '::1' });
    const b = await transport({ host: '[::1]' });
    expect(a.type).toBe('udp6');
    const peer = await a.resolvePeer('[::1]', b.localAddress()!.port);
    expect(peer.address).toBe('::1');
    const atB = nextFrame(b);
    await a.send(peer, new Uint8Array([1, 2, 3]));
    const got = await atB;
    expect([...got.frame]).toEqual([1, 2, 3]);
    expect(got.peer.address).toBe('::1');
  });

  it('binds the requested port', async () => {
    const probe = await transport({ host: '127.0.0.1' });
    const port = probe.localAddress()!.port;
    await probe.close();
    const t = await transport({ host: '127.0.0.1', port });
    expect(t.localAddress()?.port).toBe(port);
  });

  it('reaches IPv4 peers from a dual-stack udp6 socket as IPv4-mapped addresses', async () => {
    const v4 = await transport({ host: '127.0.0.1' });
    const dual = await transport({ type: 'udp6' });
    const peer = await dual.resolvePeer('127.0.0.1', v4.localAddress()!.port);
    expect(peer.address).toBe('::ffff:127.0.0.1');
    const atV4 = nextFrame(v4);
    await dual.send(peer, new Uint8Array([9]));
    expect([...(await atV4).frame]).toEqual([9]);
  });

  it('refuses IPv6 peers on a udp4 transport and IPv4 peers on an IPv6-only one', async () => {
    const v4 = await transport({ host: '127.0.0.1' });
    await expect(v4.resolvePeer('::1', 5683)).rejects.toThrow(/udp6/);
    const v6only = await transport({ host: '::1', ipv6Only: true });
    await expect(v6only.resolvePeer('127.0.0.1', 5683)).rejects.toThrow(/IPv6-only/);
  });

  it('resolves host names with the injected resolver, by socket family', async () => {
    const asked: number[] = [];
    const t = await transport({
      host: '127.0.0.1',
      lookup: async (_host, family) => {
        asked.push(family);
        return [{ address: '127.0.0.7', family: 4 }];
      },
    });
    const peer = await t.resolvePeer('device.example', 5683);
    expect(peer).toMatchObject({ address: '127.0.0.7', port: 5683, key: '127.0.0.7|5683' });
    expect(asked).toEqual([4]);
    const failing = await transport({
      host: '127.0.0.1',
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
      },
    });
    const err = await failing.resolvePeer('nowhere.invalid', 5683).catch((e: unknown) => e);
    expect(UdpTransportError.isInstance(err)).toBe(true);
    expect((err as UdpTransportError).code).toBe('ENOTFOUND');
    expect((err as Error).message).toMatch(/cannot resolve host "nowhere.invalid"/);
  });

  it('surfaces EADDRINUSE with a clear message', async () => {
    const first = await transport({ host: '127.0.0.1' });
    const port = first.localAddress()!.port;
    const err = await createUdpTransport({ host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(UdpTransportError.isInstance(err)).toBe(true);
    expect((err as UdpTransportError).code).toBe('EADDRINUSE');
    expect((err as Error).message).toContain(`127.0.0.1:${port}: address already in use`);
  });

  it('surfaces EADDRNOTAVAIL and rejects invalid ports', async () => {
    const err = await createUdpTransport({ host: '192.0.2.1' }).catch((e: unknown) => e);
    expect((err as UdpTransportError).code).toBe('EADDRNOTAVAIL');
    await expect(createUdpTransport({ host: '127.0.0.1', port: 70000 })).rejects.toThrow(/invalid UDP port/);
    const t = await transport({ host: '127.0.0.1' });
    await expect(t.resolvePeer('127.0.0.1', 0)).rejects.toThrow(/invalid UDP port/);
  });

  it('requests a large receive buffer by default', async () => {
    const t = await transport({ host: '127.0.0.1' });
    // Linux doubles the value and caps it at net.core.rmem_max; either way it is far above its 208 KiB default.
    expect(t.receiveBufferSize()).toBeGreaterThan(212_992);
  });

  it('absorbs a burst of 1000 datagrams sent without waiting', async () => {
    const server = await transport({ host: '127.0.0.1' });
    const client = await transport({ host: '127.0.0.1' });
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const total = 1000;
    let received = 0;
    const all = new Promise<void>((resolve) =>
      server.onReceive(() => {
        received += 1;
        if (received === total) resolve();
      }),
    );
    const frame = new Uint8Array(200).fill(7);
    await Promise.all(Array.from({ length: total }, () => client.send(peer, frame)));
    await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
    expect(received).toBe(total);
  });

  it('rejects frames larger than a UDP datagram', async () => {
    const t = await transport({ host: '127.0.0.1' });
    const peer = await t.resolvePeer('127.0.0.1', 25999);
    await expect(t.send(peer, new Uint8Array(MAX_UDP_PAYLOAD + 1))).rejects.toMatchObject({ code: 'EMSGSIZE' });
  });

  it('closes idempotently, frees the port, and refuses sends afterwards', async () => {
    const t = await createUdpTransport({ host: '127.0.0.1' });
    const port = t.localAddress()!.port;
    const peer = await t.resolvePeer('127.0.0.1', port);
    await Promise.all([t.close(), t.close()]);
    expect(t.localAddress()).toBeUndefined();
    await expect(t.send(peer, new Uint8Array([1]))).rejects.toThrow(/closed/);
    const again = await transport({ host: '127.0.0.1', port });
    expect(again.localAddress()?.port).toBe(port);
  });

  it('receives from a plain dgram socket (no assumption about the sender)', async () => {
    const t = await transport({ host: '127.0.0.1' });
    const raw = createSocket('udp4');
    const got = nextFrame(t);
    raw.send(new Uint8Array([0x50, 0x00, 0, 1]), t.localAddress()!.port, '127.0.0.1');
    const { frame } = await got;
    raw.close();
    expect([...frame]).toEqual([0x50, 0x00, 0, 1]);
  });
});

describe('PeerCache', () => {
  it('returns the same Peer for the same sender and starts over when full', () => {
    const cache = new PeerCache(2);
    const a = cache.get('127.0.0.1', 1000);
    expect(cache.get('127.0.0.1', 1000)).toBe(a);
    expect(a).toEqual({ address: '127.0.0.1', port: 1000, key: '127.0.0.1|1000' });
    const b = cache.get('::1', 1000);
    expect(b.key).toBe('::1|1000');
    expect(cache.get('::1', 1000)).toBe(b);
    const c = cache.get('127.0.0.2', 2000); // over capacity: cache restarts
    expect(c.key).toBe('127.0.0.2|2000');
    const again = cache.get('127.0.0.1', 1000);
    expect(again).not.toBe(a);
    expect(again).toEqual(a);
  });
});
