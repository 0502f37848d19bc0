/**
 * Load generator of the cluster benchmark, run as a forked process so its CPU is not the
 * servers': raw CoAP devices on loopback UDP sockets (@lwm2m-ts/codec frames, no LwM2M client
 * stack). Commands arrive over IPC:
 *  - `register-load`: `sockets` devices each send Register after Register (a new endpoint name
 *    each time, CON, one in flight per socket) for `seconds`; answers the count of 2.01s.
 *  - `devices`: `count` devices register once and then answer the server's Observe GET of
 *    /3303/0/5700 (text/plain); `status` tells how many are observed.
 *  - `notify`: the observed devices send NON notifications, values 1, 2, 3, ... per device,
 *    round-robin at `rate` per second in total for `seconds`; answers how many were sent.
 */
import { createSocket, type Socket } from 'node:dgram';
import {
  CoapCode,
  type CoapMessage,
  ContentFormat,
  createMessage,
  createOption,
  decodeUdp,
  encodeUdp,
  getObserve,
  getUriPath,
  MessageType,
  OptionNumber,
} from '@lwm2m-ts/codec';

export type LoadCommand =
  | { cmd: 'register-load'; host: string; port: number; sockets: number; seconds: number; prefix: string }
  | { cmd: 'devices'; host: string; port: number; count: number; prefix: string }
  | { cmd: 'status' }
  | { cmd: 'notify'; rate: number; seconds: number }
  | { cmd: 'exit' };

export type LoadReply =
  | { reply: 'register-load'; registered: number; timeouts: number; elapsedMs: number }
  | { reply: 'devices'; registered: number; failed: number }
  | { reply: 'status'; observed: number }
  | { reply: 'notify'; sent: number; elapsedMs: number }
  | { reply: 'error'; message: string };

const LINKS = new TextEncoder().encode('</>;rt="oma.lwm2m";ct=0,</1/0>,</3/0>,</3303/0>');
const SENSOR = ['3303', '0', '5700'];
const RETRANSMIT_MS = 2000;

interface Device {
  readonly socket: Socket;
  readonly endpoint: string;
  /** The server (or balancer) it talks to. */
  readonly host: string;
  readonly port: number;
  mid: number;
  token?: Uint8Array;
  observeSeq: number;
  value: number;
  /** Resolves the pending CON by message id. */
  pending?: { mid: number; resolve: (m: CoapMessage | undefined) => void };
}

let midSeed = 1;
const send = (d: Device, m: CoapMessage) => d.socket.send(encodeUdp(m), d.port, d.host);

async function openDevice(endpoint: string, host: string, port: number): Promise<Device> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  midSeed = (midSeed + 997) & 0xffff;
  const device: Device = { socket, endpoint, host, port, mid: midSeed, observeSeq: 2, value: 0 };
  socket.on('message', (bytes) => {
    let m: CoapMessage;
    try {
      m = decodeUdp(bytes);
    } catch {
      return;
    }
    if (m.type === MessageType.ACK || m.type === MessageType.RST) {
      if (device.pending && device.pending.mid === m.messageId) {
        const p = device.pending;
        device.pending = undefined;
        p.resolve(m.type === MessageType.ACK ? m : undefined);
      }
      return;
    }
    if (m.code === CoapCode.GET && getUriPath(m).join('/') === SENSOR.join('/') && getObserve(m) === 0) {
      device.token = m.token;
      send(
        device,
        createMessage({
          type: m.type === MessageType.CON ? MessageType.ACK : MessageType.NON,
          code: CoapCode.CONTENT,
          messageId: m.type === MessageType.CON ? m.messageId : nextMid(device),
          token: m.token,
          options: [createOption(OptionNumber.OBSERVE, 1), createOption(OptionNumber.CONTENT_FORMAT, 0)],
          payload: new TextEncoder().encode('0'),
        }),
      );
      return;
    }
    if (m.type === MessageType.CON)
      send(
        device,
        createMessage({ type: MessageType.ACK, code: CoapCode.NOT_FOUND, messageId: m.messageId, token: m.token }),
      );
  });
  return device;
}

function nextMid(d: Device): number {
  d.mid = (d.mid + 1) & 0xffff;
  return d.mid;
}

/** One Register (CON, retransmitted once); resolves true on 2.01. */
async function register(d: Device, endpoint: string, lifetime: number): Promise<boolean> {
  const mid = nextMid(d);
  const token = Uint8Array.of(mid >> 8, mid & 0xff, 0x52);
  const message = createMessage({
    type: MessageType.CON,
    code: CoapCode.POST,
    messageId: mid,
    token,
    options: [
      createOption(OptionNumber.URI_PATH, 'rd'),
      createOption(OptionNumber.CONTENT_FORMAT, ContentFormat.LINK_FORMAT),
      createOption(OptionNumber.URI_QUERY, `ep=${endpoint}`),
      createOption(OptionNumber.URI_QUERY, `lt=${lifetime}`),
      createOption(OptionNumber.URI_QUERY, 'lwm2m=1.1'),
      createOption(OptionNumber.URI_QUERY, 'b=U'),
    ],
    payload: LINKS,
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    const answer = new Promise<CoapMessage | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), RETRANSMIT_MS * (attempt + 1));
      d.pending = {
        mid,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
    });
    send(d, message);
    const reply = await answer;
    if (reply) return reply.code === CoapCode.CREATED;
  }
  d.pending = undefined;
  return false;
}

const devices: Device[] = [];

async function handle(c: LoadCommand): Promise<LoadReply | undefined> {
  switch (c.cmd) {
    case 'register-load': {
      const sockets = await Promise.all(
        Array.from({ length: c.sockets }, (_, i) => openDevice(`${c.prefix}-s${i}`, c.host, c.port)),
      );
      let registered = 0;
      let timeouts = 0;
      const start = performance.now();
      const until = start + c.seconds * 1000;
      await Promise.all(
        sockets.map(async (d, i) => {
          for (let n = 0; performance.now() < until; n++) {
            if (await register(d, `${c.prefix}-${i}-${n}`, 3600)) registered++;
            else timeouts++;
          }
        }),
      );
      const elapsedMs = performance.now() - start;
      for (const d of sockets) d.socket.close();
      return { reply: 'register-load', registered, timeouts, elapsedMs };
    }
    case 'devices': {
      let registered = 0;
      let failed = 0;
      const opened = await Promise.all(
        Array.from({ length: c.count }, (_, i) => openDevice(`${c.prefix}-${i}`, c.host, c.port)),
      );
      devices.push(...opened);
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < opened.length) {
            const d = opened[next++]!;
            if (await register(d, d.endpoint, 600)) registered++;
            else failed++;
          }
        }),
      );
      return { reply: 'devices', registered, failed };
    }
    case 'status':
      return { reply: 'status', observed: devices.filter((d) => d.token).length };
    case 'notify': {
      const observed = devices.filter((d) => d.token);
      const total = Math.round(c.rate * c.seconds);
      let sent = 0;
      const start = performance.now();
      // Paced in 10 ms slices: each slice sends what the rate allows by then.
      while (sent < total && observed.length > 0) {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * c.rate));
        while (sent < due) {
          const d = observed[sent % observed.length]!;
          d.value++;
          d.observeSeq = (d.observeSeq + 1) & 0xffffff;
          send(
            d,
            createMessage({
              type: MessageType.NON,
              code: CoapCode.CONTENT,
              messageId: nextMid(d),
              token: d.token!,
              options: [createOption(OptionNumber.OBSERVE, d.observeSeq), createOption(OptionNumber.CONTENT_FORMAT, 0)],
              payload: new TextEncoder().encode(String(d.value)),
            }),
          );
          sent++;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return { reply: 'notify', sent, elapsedMs: performance.now() - start };
    }
    case 'exit':
      for (const d of devices) d.socket.close();
      process.exit(0);
  }
}

process.on('message', (c: LoadCommand) => {
  handle(c).then(
    (reply) => reply && process.send?.(reply),
    (error: Error) => process.send?.({ reply: 'error', message: error.message } satisfies LoadReply),
  );
});
