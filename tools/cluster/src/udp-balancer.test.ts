import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePing, isResetFor } from './coap-ping';
import { UdpBalancer } from './udp-balancer';

// Loopback ports 27100-27119 belong to these tests.
const HOST = '127.0.0.1';
const FRONT = 27100;
const BACKENDS = [27101, 27102, 27103];

interface Backend {
  readonly socket: Socket;
  /** Source ports seen, in order. */
  readonly sources: number[];
  last?: RemoteInfo;
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function bound(port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, HOST, () => resolve());
  });
  opened.push({
    close: () =>
      new Promise<void>((r) => {
        try {
          socket.close(() => r());
        } catch {
          r(); // closed by the test already
        }
      }),
  });
  return socket;
}

/** A backend that answers pings with RST and echoes anything else prefixed by its index. */
async function backend(index: number, answerPings = true): Promise<Backend> {
  const socket = await bound(BACKENDS[index]);
  const b: Backend = { socket, sources: [] };
  socket.on('message', (msg, rinfo) => {
    if (msg.length === 4 && msg[0] === 0x40 && msg[1] === 0) {
      if (answerPings) socket.send(Buffer.from([0x70, 0, msg[2]!, msg[3]!]), rinfo.port, rinfo.address);
      return;
    }
    b.sources.push(rinfo.port);
    b.last = rinfo;
    socket.send(Buffer.concat([Buffer.from([index]), msg]), rinfo.port, rinfo.address);
  });
  return b;
}

function next(socket: Socket, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', on);
      reject(new Error('no datagram within the timeout'));
    }, timeoutMs);
    const on = (msg: Buffer) => {
      clearTimeout(timer);
      resolve(msg);
    };
    socket.once('message', on);
  });
}

/** Resolves to true if a datagram arrives within `ms`. */
async function arrives(socket: Socket, ms = 300): Promise<boolean> {
  return next(socket, ms).then(
    () => true,
    () => false,
  );
}

async function roundTrip(device: Socket, bytes: Uint8Array, port = FRONT): Promise<Buffer> {
  const reply = next(device);
  device.send(bytes, port, HOST);
  return reply;
}

async function balancer(options: Partial<Parameters<typeof UdpBalancer.start>[0]> = {}): Promise<UdpBalancer> {
  const b = await UdpBalancer.start({ host: HOST, port: FRONT, backends: BACKENDS.slice(0, 2), ...options });
  opened.push(b);
  return b;
}

describe('UdpBalancer routing', () => {
  it('pins each device to one backend, spreads devices, and gives each its own upstream port', async () => {
    const backends = [await backend(0), await backend(1)];
    const lb = await balancer();
    const devices = [await bound(), await bound(), await bound(), await bound()];
    const seen = new Map<Socket, number>();
    for (let round = 0; round < 3; round++)
      for (const d of devices) {
        const reply = await roundTrip(d, Buffer.from(`hello ${round}`));
        expect(reply.subarray(1).toString()).toBe(`hello ${round}`);
        if (round === 0) seen.set(d, reply[0]!);
        else expect(reply[0]).toBe(seen.get(d)); // sticky
      }
    expect([...seen.values()].sort()).toEqual([0, 0, 1, 1]);
    // Each backend sees two devices, each always from the same, distinct upstream port.
    for (const b of backends) expect(new Set(b.sources).size).toBe(2);
    expect(new Set([...backends[0]!.sources, ...backends[1]!.sources]).size).toBe(4);
    const flows = lb.flows();
    expect(flows).toHaveLength(4);
    for (const d of devices) expect(lb.backendOf(HOST, d.address().port)).toBe(seen.get(d));
    expect(lb.stats()).toMatchObject({ flows: 4, toBackend: 12, toDevice: 12, sendErrors: 0 });
  });

  it("relays a backend's own request (sent to the upstream port) to the device", async () => {
    const backends = [await backend(0), await backend(1)];
    await balancer();
    const device = await bound();
    const first = await roundTrip(device, Buffer.from('register'));
    const owner = backends[first[0]!]!;
    const request = next(device);
    owner.socket.send(Buffer.from('observe please'), owner.last!.port, owner.last!.address);
    expect((await request).toString()).toBe('observe please');
  });

  it('relays arbitrary and empty datagrams byte for byte (it is not a CoAP parser)', async () => {
    await backend(0);
    await backend(1);
    const lb = await balancer();
    const device = await bound();
    const garbage = Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad]);
    expect((await roundTrip(device, garbage)).subarray(1)).toEqual(garbage);
    const truncatedCoap = Buffer.from([0x44, 0x01]); // header cut short
    expect((await roundTrip(device, truncatedCoap)).subarray(1)).toEqual(truncatedCoap);
    expect((await roundTrip(device, Buffer.alloc(0))).length).toBe(1);
    expect(lb.stats().droppedOversized).toBe(0);
  });

  it('drops oversized datagrams both ways and keeps working', async () => {
    await backend(0);
    await backend(1);
    const lb = await balancer({ maxDatagramBytes: 100 });
    const device = await bound();
    device.send(Buffer.alloc(101, 1), FRONT, HOST);
    device.send(Buffer.alloc(60_000, 2), FRONT, HOST);
    expect(await arrives(device)).toBe(false);
    // 100 bytes in, 101 back (index prefix): the reply is dropped at the balancer.
    device.send(Buffer.alloc(100, 3), FRONT, HOST);
    expect(await arrives(device)).toBe(false);
    expect(lb.stats().droppedOversized).toBe(3);
    expect((await roundTrip(device, Buffer.from('small'))).subarray(1).toString()).toBe('small');
  });

  it('drops datagrams sent to an upstream socket by anyone but a backend', async () => {
    await backend(0);
    await backend(1);
    const lb = await balancer();
    const device = await bound();
    await roundTrip(device, Buffer.from('x'));
    const intruder = await bound();
    intruder.send(Buffer.from('spoofed'), lb.flows()[0]!.upstreamPort!, HOST);
    expect(await arrives(device)).toBe(false);
    expect(lb.stats().droppedForeign).toBe(1);
  });

  it('stops taking new devices past maxFlows, without affecting the tracked ones', async () => {
    await backend(0);
    await backend(1);
    const lb = await balancer({ maxFlows: 1 });
    const a = await bound();
    const b = await bound();
    await roundTrip(a, Buffer.from('a'));
    b.send(Buffer.from('b'), FRONT, HOST);
    expect(await arrives(b)).toBe(false);
    expect(lb.stats().droppedFlowLimit).toBe(1);
    expect((await roundTrip(a, Buffer.from('again'))).subarray(1).toString()).toBe('again');
  });

  it('refuses bad options', async () => {
    await expect(UdpBalancer.start({ host: 'localhost', backends: [1] })).rejects.toThrow(/IP literal/);
    await expect(UdpBalancer.start({ host: HOST, backends: [] })).rejects.toThrow(/at least one backend/);
    await expect(UdpBalancer.start({ host: HOST, backends: [70_000] })).rejects.toThrow(/invalid backend port/);
    const lb = await balancer();
    expect(() => lb.removeBackend(5)).toThrow(/no backend 5/);
  });
});

describe('UdpBalancer backend loss', () => {
  it('removeBackend moves its devices to live backends, keeping their upstream port', async () => {
    const backends = [await backend(0), await backend(1), await backend(2)];
    const changes: [number, boolean][] = [];
    const lb = await balancer({ backends: BACKENDS, onBackendChange: (i, live) => changes.push([i, live]) });
    const devices = [await bound(), await bound(), await bound()];
    for (const d of devices) await roundTrip(d, Buffer.from('reg'));
    const onZero = devices.find((d) => lb.backendOf(HOST, d.address().port) === 0)!;
    const upstream = backends[0]!.last!.port;

    lb.removeBackend(0);
    expect(changes).toEqual([[0, false]]);
    expect(lb.isLive(0)).toBe(false);
    const moved = await roundTrip(onZero, Buffer.from('update'));
    expect(moved[0]).not.toBe(0);
    // The new backend sees the same device address as the old one did.
    expect(backends[moved[0]!]!.last!.port).toBe(upstream);
    expect(lb.stats().rerouted).toBe(1);
    // New devices avoid the dead backend.
    for (let i = 0; i < 4; i++) expect((await roundTrip(await bound(), Buffer.from('new')))[0]).not.toBe(0);

    lb.restoreBackend(0);
    expect((await roundTrip(await bound(), Buffer.from('new')))[0]).toBe(0); // fewest devices
    expect((await roundTrip(onZero, Buffer.from('sticky')))[0]).toBe(moved[0]); // stays put
  });

  it('drops (and counts) device datagrams while no backend is live', async () => {
    await backend(0);
    await backend(1);
    const lb = await balancer();
    const device = await bound();
    await roundTrip(device, Buffer.from('x'));
    lb.removeBackend(0);
    lb.removeBackend(1);
    device.send(Buffer.from('lost'), FRONT, HOST);
    (await bound()).send(Buffer.from('new device'), FRONT, HOST);
    expect(await arrives(device)).toBe(false);
    expect(lb.stats().droppedNoBackend).toBe(2);
    lb.restoreBackend(1);
    expect((await roundTrip(device, Buffer.from('back')))[0]).toBe(1);
  });

  it('health check: unanswered CoAP pings take a backend down; answers bring it back', async () => {
    await backend(0);
    const changes: [number, boolean][] = [];
    // Interval far beyond the test: rounds are run by hand with checkBackends().
    const lb = await balancer({
      healthCheck: { intervalMs: 60_000, timeoutMs: 150, failures: 2 },
      onBackendChange: (i, live) => changes.push([i, live]),
    });
    expect(await lb.checkBackends()).toEqual([true, true]); // one miss is not enough
    expect(await lb.checkBackends()).toEqual([true, false]);
    expect(changes).toEqual([[1, false]]);
    const device = await bound();
    expect((await roundTrip(device, Buffer.from('x')))[0]).toBe(0);

    await backend(1);
    expect(await lb.checkBackends()).toEqual([true, true]);
    expect(changes).toEqual([
      [1, false],
      [1, true],
    ]);
  });

  it('health check: replies that are not the RST to its ping do not count as alive', async () => {
    const liar = await bound(BACKENDS[1]);
    const replies = [
      (mid: number) => Buffer.from([0x60, 0, mid >> 8, mid & 0xff]), // ACK, not RST
      (mid: number) => Buffer.from([0x70, 0, (mid + 1) >> 8, (mid + 1) & 0xff]), // other MID
      (mid: number) => Buffer.from([0x70, 0, mid >> 8, mid & 0xff, 0xff]), // trailing byte
      () => Buffer.from([0x70]), // truncated
      () => Buffer.alloc(0),
    ];
    let n = 0;
    liar.on('message', (msg, rinfo) => {
      const mid = msg.readUInt16BE(2);
      for (const reply of replies) liar.send(reply(mid), rinfo.port, rinfo.address);
      n++;
    });
    await backend(0);
    const lb = await balancer({ healthCheck: { intervalMs: 60_000, timeoutMs: 150, failures: 2 } });
    await lb.checkBackends();
    expect(await lb.checkBackends()).toEqual([true, false]);
    expect(n).toBe(2);
  });

  it('health check on its own timer: a backend that goes quiet is taken out, its devices moved', async () => {
    const backends = [await backend(0), await backend(1)];
    const changes: [number, boolean][] = [];
    const lb = await balancer({
      healthCheck: { intervalMs: 50, timeoutMs: 100, failures: 2 },
      onBackendChange: (i, live) => changes.push([i, live]),
    });
    const devices = [await bound(), await bound()];
    for (const d of devices) await roundTrip(d, Buffer.from('reg'));
    const onOne = devices.find((d) => lb.backendOf(HOST, d.address().port) === 1)!;
    await new Promise<void>((r) => backends[1]!.socket.close(() => r())); // node 1 dies
    const deadline = Date.now() + 5000;
    while (lb.isLive(1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(changes).toContainEqual([1, false]);
    expect((await roundTrip(onOne, Buffer.from('after')))[0]).toBe(0);
  });

  it('removeBackend is not undone by the health check', async () => {
    await backend(0);
    await backend(1);
    const lb = await balancer({ healthCheck: { intervalMs: 60_000, timeoutMs: 100, failures: 1 } });
    lb.removeBackend(1);
    expect(await lb.checkBackends()).toEqual([true, false]);
  });
});

describe('coap ping', () => {
  it('encodes an empty CON and recognizes only the matching empty RST', () => {
    expect([...encodePing(0x1234)]).toEqual([0x40, 0x00, 0x12, 0x34]);
    expect(isResetFor(Uint8Array.of(0x70, 0, 0x12, 0x34), 0x1234)).toBe(true);
    expect(isResetFor(Uint8Array.of(0x70, 0, 0x12, 0x35), 0x1234)).toBe(false);
    expect(isResetFor(Uint8Array.of(0x71, 0, 0x12, 0x34), 0x1234)).toBe(false); // TKL 1
    expect(isResetFor(Uint8Array.of(0x70, 0x45, 0x12, 0x34), 0x1234)).toBe(false);
    expect(isResetFor(Uint8Array.of(0x70, 0, 0x12), 0x1234)).toBe(false);
    expect(isResetFor(new Uint8Array(0), 0)).toBe(false);
  });
});
