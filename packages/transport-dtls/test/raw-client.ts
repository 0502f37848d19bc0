import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** A bare UDP socket for sending hand-made datagrams and collecting what comes back. */
export class RawSocket {
  readonly socket: Socket = createSocket('udp4');
  readonly received: Buffer[] = [];

  static async open(): Promise<RawSocket> {
    const r = new RawSocket();
    r.socket.on('message', (m) => r.received.push(m));
    await new Promise<void>((res) => r.socket.bind(0, '127.0.0.1', () => res()));
    return r;
  }

  send(d: Buffer, port: number): Promise<void> {
    return new Promise((res, rej) => this.socket.send(d, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  }

  close(): void {
    this.socket.close();
  }
}

/** A syntactically valid DTLS 1.2 ClientHello record offering PSK CCM_8, with an optional cookie. */
export function clientHelloRecord(
  cookie: Buffer = Buffer.alloc(0),
  random: Buffer = randomBytes(32),
  recordSeq = 0,
  messageSeq = 0,
): Buffer {
  const body = Buffer.concat([
    Buffer.from([0xfe, 0xfd]),
    random,
    Buffer.from([0]), // session id
    Buffer.from([cookie.length]),
    cookie,
    Buffer.from([0, 2, 0xc0, 0xa8]), // cipher suites
    Buffer.from([1, 0]), // compression
  ]);
  const hs = Buffer.alloc(12);
  hs[0] = 1;
  hs.writeUIntBE(body.length, 1, 3);
  hs.writeUInt16BE(messageSeq, 4);
  hs.writeUIntBE(body.length, 9, 3);
  const payload = Buffer.concat([hs, body]);
  const rec = Buffer.alloc(13);
  rec[0] = 22;
  rec.writeUInt16BE(0xfefd, 1);
  rec.writeUIntBE(recordSeq, 5, 6);
  rec.writeUInt16BE(payload.length, 11);
  return Buffer.concat([rec, payload]);
}

/** The cookie from a HelloVerifyRequest datagram. */
export function cookieFromHvr(d: Buffer): Buffer {
  // record header 13, handshake header 12, server_version 2, cookie length 1
  const len = d[13 + 12 + 2]!;
  return d.subarray(13 + 12 + 3, 13 + 12 + 3 + len);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
