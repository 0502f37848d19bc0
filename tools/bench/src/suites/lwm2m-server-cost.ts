/**
 * The JavaScript cost of @lwm2m-ts/server's CoAP path without sockets: frames built beforehand are
 * handed to the server's Endpoint through an in-memory transport whose send() only counts, and the
 * process's CPU (process.cpuUsage) is divided by the operations completed. No kernel, no load
 * generator: the figure moves far less than a socket benchmark on a shared machine, and the
 * difference to the socket suites' CPU per operation is what node:dgram and the kernel cost.
 *   registrations: Register (10-object link payload), each from a new peer with a new endpoint name;
 *   notifications: NON 2.05 text/plain notifications of /3303/0/5700 from 100 observed devices.
 */
import { makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';
import { type CoapOption, ContentFormat, decodeUdp, encodeUdp, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { createLwM2mServer } from '@lwm2m-ts/server';

const utf8 = new TextEncoder();
const LINKS = utf8.encode(
  '</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,</3303/0>,</3304/0>,</3311/0>,</3442/0>',
);
const POST = 0x02;
const CREATED = 0x41;
const CONTENT = 0x45;

const option = (number: number, value: Uint8Array | string): CoapOption => ({
  number,
  value: typeof value === 'string' ? utf8.encode(value) : value,
});
const uint = (n: number) =>
  n < 256
    ? Uint8Array.of(n)
    : n < 65536
      ? Uint8Array.of(n >> 8, n & 255)
      : Uint8Array.of(n >> 16, (n >> 8) & 255, n & 255);
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
/** Lets the server's promise chains and deferred events run (one macrotask). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A datagram transport in memory: frames go in through `deliver`, sends are counted (and shown to `onSend`). */
class InjectedTransport implements Transport {
  readonly reliable = false;
  readonly framing = 'datagram' as const;
  readonly scheme = 'coap' as const;
  sent = 0;
  onSend: ((peer: Peer, frame: Uint8Array) => void) | undefined;
  private handler: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  send(peer: Peer, frame: Uint8Array): Promise<void> {
    this.sent++;
    this.onSend?.(peer, frame);
    return Promise.resolve();
  }
  onReceive(handler: (frame: Uint8Array, peer: Peer) => void): void {
    this.handler = handler;
  }
  deliver(frame: Uint8Array, peer: Peer): void {
    this.handler?.(frame, peer);
  }
  localAddress() {
    return { address: '127.0.0.1', port: 5683 };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function registerFrame(n: number, endpoint: string, links: Uint8Array): Uint8Array {
  return encodeUdp({
    type: MessageType.CON,
    code: POST,
    messageId: n & 0xffff,
    token: Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, 7),
    options: [
      option(OptionNumber.URI_PATH, 'rd'),
      option(OptionNumber.CONTENT_FORMAT, Uint8Array.of(ContentFormat.LINK_FORMAT)),
      option(OptionNumber.URI_QUERY, `ep=${endpoint}`),
      option(OptionNumber.URI_QUERY, 'lt=86400'),
      option(OptionNumber.URI_QUERY, 'lwm2m=1.1'),
      option(OptionNumber.URI_QUERY, 'b=U'),
    ],
    payload: links,
  });
}

export interface CostRun {
  /** Server CPU (user + system) per operation, µs. */
  readonly cpuUs: number;
  readonly completed: number;
  readonly expected: number;
}

/** `count` Registers (after `warmup` more), 256 per macrotask. */
export async function registrationCost(count = 50_000, warmup = 20_000): Promise<CostRun> {
  const transport = new InjectedTransport();
  const server = createLwM2mServer({ transport });
  let created = 0;
  transport.onSend = (_peer, frame) => {
    if (frame[1] === CREATED) created++;
  };
  let n = 0;
  const run = async (total: number) => {
    const frames: [Uint8Array, Peer][] = [];
    for (let i = 0; i < total; i++, n++) {
      const peer = makePeer(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, 5683 + (n % 1000));
      frames.push([registerFrame(n, `cost-${n}`, LINKS), peer]);
    }
    const before = created;
    const cpu0 = cpuNow();
    for (let i = 0; i < frames.length; i += 256) {
      for (let k = i; k < Math.min(i + 256, frames.length); k++) transport.deliver(frames[k]![0], frames[k]![1]);
      await turn();
    }
    await turn();
    await turn();
    const completed = created - before;
    return { cpuUs: (cpuNow() - cpu0) / Math.max(1, completed), completed, expected: total };
  };
  try {
    await run(warmup);
    return await run(count);
  } finally {
    await server.close();
  }
}

/** `rounds` notifications from each of `devices` observed devices (after 200 rounds of warm-up), one round per macrotask. */
export async function notificationCost(rounds = 1000, devices = 100): Promise<CostRun> {
  const transport = new InjectedTransport();
  const server = createLwM2mServer({ transport });
  let received = 0;
  server.events.on('notification', () => {
    received++;
  });
  const peers = Array.from({ length: devices }, (_, i) => makePeer(`10.1.${i >> 8}.${i & 255}`, 6000 + i));
  const tokens = new Map<string, Uint8Array>();
  transport.onSend = (peer, frame) => {
    const m = decodeUdp(frame);
    if (m.code !== 0x01) return;
    // The server's Observe GET: the device answers 2.05 piggybacked with Observe 1.
    tokens.set(peer.key, m.token);
    const answer = encodeUdp({
      type: MessageType.ACK,
      code: CONTENT,
      messageId: m.messageId,
      token: m.token,
      options: [option(OptionNumber.OBSERVE, uint(1)), option(OptionNumber.CONTENT_FORMAT, new Uint8Array(0))],
      payload: utf8.encode('20.00'),
    });
    queueMicrotask(() => transport.deliver(answer, peer));
  };
  const observing: Promise<unknown>[] = [];
  server.events.on('registered', ({ registration }) => {
    observing.push(server.observe(registration.endpoint, '/3303/0/5700', { format: ContentFormat.TEXT_PLAIN }));
  });
  const device = utf8.encode('</3303/0>');
  for (let i = 0; i < devices; i++) transport.deliver(registerFrame(i, `observed-${i}`, device), peers[i]!);
  for (let i = 0; i < 200 && observing.length < devices; i++) await new Promise((r) => setTimeout(r, 5));
  await Promise.all(observing);
  let seq = 2;
  let mid = 1000;
  const run = async (total: number) => {
    const frames: Uint8Array[][] = [];
    for (let r = 0; r < total; r++, seq++)
      frames.push(
        peers.map((peer) =>
          encodeUdp({
            type: MessageType.NON,
            code: CONTENT,
            messageId: mid++ & 0xffff,
            token: tokens.get(peer.key)!,
            options: [
              option(OptionNumber.OBSERVE, uint(seq & 0xffffff)),
              option(OptionNumber.CONTENT_FORMAT, new Uint8Array(0)),
            ],
            payload: utf8.encode((20 + (seq % 200) / 4).toFixed(2)),
          }),
        ),
      );
    const before = received;
    const cpu0 = cpuNow();
    for (const round of frames) {
      for (let i = 0; i < devices; i++) transport.deliver(round[i]!, peers[i]!);
      await turn();
    }
    await turn();
    const completed = received - before;
    return { cpuUs: (cpuNow() - cpu0) / Math.max(1, completed), completed, expected: total * devices };
  };
  try {
    await run(200);
    return await run(rounds);
  } finally {
    await server.close();
  }
}
