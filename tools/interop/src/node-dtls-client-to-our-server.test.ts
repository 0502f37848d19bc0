/**
 * node-dtls-client 2.0.3 (npm; a DTLS 1.2 client with PSK only, written by someone else) against our
 * DTLS server (`createDtlsServer` under a CoAP `Endpoint`, in-process so the test can read its session
 * count). The client speaks raw CoAP bytes over its DTLS socket; we encode and decode them with our codec
 * and assert on what it received. The package declares node >= 22 but runs on 20 (pnpm only warns,
 * engine-strict stays off). It is an npm devDependency, so it is always present; the loud skip of
 * peers.ts applies only if its import fails.
 */
import { Endpoint, Router } from '@lwm2m-ts/coap';
import {
  CoapCode,
  type CoapMessage,
  createOption,
  decodeUdp,
  encodeUdp,
  MessageType,
  OptionNumber,
} from '@lwm2m-ts/codec';
import { createDtlsServer, type DtlsTransport } from '@lwm2m-ts/transport-dtls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerAvailable } from './peers';

const PORT = 25710;
const PSK = Buffer.from('secretPSK');
const IDENTITY = 'Client_identity';
const SUITE = 'TLS_PSK_WITH_AES_128_CCM_8';

type DtlsModule = typeof import('node-dtls-client');
const loaded: DtlsModule | undefined = await import('node-dtls-client').catch(() => undefined);
const enabled = peerAvailable('node-dtls-client', loaded !== undefined, 'pnpm install (tools/interop devDependency)');

type DtlsSocket = ReturnType<DtlsModule['dtls']['createSocket']>;

/** Opens a node-dtls-client socket; resolves on `connected`, rejects on `error`/`close` or after `timeoutMs`. */
function connect(key: Buffer, timeoutMs = 5000): Promise<{ socket: DtlsSocket; received: Buffer[] }> {
  const { dtls } = loaded!;
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = dtls.createSocket({
      type: 'udp4',
      address: '127.0.0.1',
      port: PORT,
      psk: { [IDENTITY]: key },
      ciphers: [SUITE],
      timeout: timeoutMs,
    });
    socket.on('message', (msg: Buffer) => received.push(msg));
    socket.once('connected', () => resolve({ socket, received }));
    socket.once('error', (e: Error) => reject(e));
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

/** Sends one CoAP message and waits for a datagram answering its message id or token. */
async function exchange(
  conn: { socket: DtlsSocket; received: Buffer[] },
  msg: CoapMessage,
  timeoutMs = 3000,
): Promise<CoapMessage> {
  conn.socket.send(Buffer.from(encodeUdp(msg)));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const [i, raw] of conn.received.entries()) {
      const res = decodeUdp(raw);
      if (res.messageId === msg.messageId || Buffer.from(res.token).equals(Buffer.from(msg.token))) {
        conn.received.splice(i, 1);
        return res;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no answer to message ${msg.messageId} within ${timeoutMs} ms`);
}

const request = (code: number, messageId: number, token: number, path: string, payload = ''): CoapMessage => ({
  type: MessageType.CON,
  code,
  messageId,
  token: Uint8Array.of(token, 0xd7),
  options: path.split('/').map((seg) => createOption(OptionNumber.URI_PATH, seg)),
  payload: new TextEncoder().encode(payload),
});

describe.runIf(enabled)('node-dtls-client 2.0.3 (PSK, CCM_8) -> our DTLS server', () => {
  let transport: DtlsTransport;
  let endpoint: Endpoint;
  const posted: string[] = [];
  const identities: string[] = [];

  beforeAll(async () => {
    transport = await createDtlsServer({
      host: '127.0.0.1',
      port: PORT,
      psk: (id) => (id === IDENTITY ? PSK : undefined),
      cipherSuites: [SUITE],
    });
    const router = new Router()
      .get('/sensors/temp', (req) => {
        const id = req.peer.identity;
        identities.push(id?.kind === 'psk' ? id.identity : '?');
        return { payload: '22.5 C' };
      })
      .post('/echo', (req) => {
        const text = new TextDecoder().decode(req.payload);
        posted.push(text);
        return { code: CoapCode.CHANGED, payload: `got ${text.length} bytes: ${text}` };
      });
    endpoint = new Endpoint({ transport, router });
  });
  afterAll(async () => {
    await endpoint?.close();
  });

  it('handshakes with PSK, GETs a resource and gets a piggybacked 2.05, then a CON POST answered 2.04', async () => {
    const conn = await connect(PSK);
    try {
      expect(transport.stats().sessions).toBe(1);
      const get = await exchange(conn, request(CoapCode.GET, 0x1201, 1, 'sensors/temp'));
      expect(get.type).toBe(MessageType.ACK);
      expect(get.messageId).toBe(0x1201);
      expect(get.code).toBe(CoapCode.CONTENT);
      expect(new TextDecoder().decode(get.payload)).toBe('22.5 C');
      expect(identities).toEqual([IDENTITY]);

      const post = await exchange(conn, request(CoapCode.POST, 0x1202, 2, 'echo', 'hello from node-dtls-client'));
      expect(post.type).toBe(MessageType.ACK);
      expect(post.code).toBe(CoapCode.CHANGED);
      expect(Buffer.from(post.token)).toEqual(Buffer.from([2, 0xd7]));
      expect(new TextDecoder().decode(post.payload)).toBe('got 27 bytes: hello from node-dtls-client');
      expect(posted).toEqual(['hello from node-dtls-client']);

      const missing = await exchange(conn, request(CoapCode.GET, 0x1203, 3, 'nothing/here'));
      expect(missing.code).toBe(CoapCode.NOT_FOUND);
    } finally {
      conn.socket.close();
    }
    // Its close() sends close_notify: the session goes away on our side.
    for (let i = 0; i < 50 && transport.stats().sessions > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(transport.stats().sessions).toBe(0);
  });

  it('a wrong PSK: the client gets an error (our alert), and no session exists on our side', async () => {
    const err = await connect(Buffer.from('wrongPSK'), 3000).then(
      (c) => {
        c.socket.close();
        return undefined;
      },
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    // Our server cannot authenticate its Finished record and answers with a fatal bad_record_mac alert,
    // which node-dtls-client reports as its error.
    expect(err!.message).toBe('received fatal alert: bad_record_mac');
    expect(transport.stats().sessions).toBe(0);
    expect(transport.stats().handshakes).toBe(0);
    expect(posted).toHaveLength(1);
  });
});
