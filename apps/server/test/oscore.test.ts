/**
 * OSCORE on the app's UDP port, contexts from the security store (added through the REST API):
 * an LwM2M client whose Security (0) instance links an OSCORE (21) instance registers, and the
 * API reads, writes and observes it through OSCORE; wrong credentials, another endpoint's
 * context, replays and malformed OSCORE options are refused; the `coap` CLI with
 * `--oscore-context FILE` reaches the server.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '@lwm2m-ts/cli';
import {
  deviceInstance,
  ipsoSensor,
  LwM2mClient,
  oscoreInstance,
  SecurityMode,
  securityInstance,
  serverInstance,
  type TransportFactory,
} from '@lwm2m-ts/client';
import { CoapError, Endpoint, type Transport } from '@lwm2m-ts/coap';
import { CoapCode, decodeUdp, encodeUdp, formatCode, MessageType } from '@lwm2m-ts/codec';
import { createOscoreLayer, createSecurityContext, type SecurityContextInput } from '@lwm2m-ts/oscore';
import type { Notification } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const SERVER_ID = bytes('53');
const SALT = bytes('9e7ca92223786340');
/** Per endpoint: the device's Sender ID and master secret. */
const DEVICES = {
  'osc-a': { id: bytes('0a01'), secret: bytes('0102030405060708090a0b0c0d0e0f10') },
  'osc-b': { id: bytes('0b01'), secret: bytes('1112131415161718191a1b1c1d1e1f20') },
  'osc-r': { id: bytes('0c01'), secret: bytes('2122232425262728292a2b2c2d2e2f30') },
  'osc-cli': { id: bytes('0d01'), secret: bytes('3132333435363738393a3b3c3d3e3f40') },
  'osc-m': { id: bytes('0f01'), secret: bytes('4142434445464748494a4b4c4d4e4f50') },
} as const;

let app: ServerApp;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

beforeAll(async () => {
  app = await startTestApp({ coapPort: 27200, bsPort: 27201, coapsPort: 27202, bsCoapsPort: 27203 });
  for (const [endpoint, d] of Object.entries(DEVICES)) {
    const put = await api(app, 'PUT', `/api/security/clients/${endpoint}`, {
      oscore: { recipientId: hex(d.id), senderId: hex(SERVER_ID), masterSecret: hex(d.secret), masterSalt: hex(SALT) },
    });
    expect(put.status, put.text).toBe(201);
  }
});
afterAll(async () => {
  await app?.close();
});

/** The device side of a context: our Sender ID is the server's Recipient ID. */
const deviceContext = (d: { id: Uint8Array; secret: Uint8Array }): SecurityContextInput => ({
  masterSecret: d.secret,
  masterSalt: SALT,
  senderId: d.id,
  recipientId: SERVER_ID,
});

/** UDP + an OSCORE layer built from the account's OSCORE (21) instance, as a device application does. */
const oscoreFactory: TransportFactory = async (account) => {
  const o = account.oscore;
  if (!o) throw new Error('expected an OSCORE account');
  const context = createSecurityContext({
    masterSecret: o.masterSecret,
    senderId: o.senderId,
    recipientId: o.recipientId,
    ...(o.masterSalt ? { masterSalt: o.masterSalt } : {}),
  });
  return {
    transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
    layers: [createOscoreLayer({ contexts: context })],
  };
};

/** A raw OSCORE CoAP endpoint on loopback that records every frame it sends. */
async function rawOscoreEndpoint(context: SecurityContextInput) {
  const udp = await createUdpTransport({ host: '127.0.0.1', port: 0 });
  const sent: Uint8Array[] = [];
  const transport: Transport = {
    reliable: udp.reliable,
    framing: udp.framing,
    scheme: udp.scheme,
    send: (peer, frame) => {
      sent.push(frame.slice());
      return udp.send(peer, frame);
    },
    onReceive: (handler) => udp.onReceive(handler),
    localAddress: () => udp.localAddress(),
    close: () => udp.close(),
  };
  const endpoint = new Endpoint({
    transport,
    layers: [createOscoreLayer({ contexts: createSecurityContext(context) })],
  });
  cleanups.push(() => endpoint.close());
  return { endpoint, sent };
}

const register = (endpoint: Endpoint, name: string) =>
  endpoint.request({
    method: 'POST',
    uri: `coap://127.0.0.1:${app.coapPort}/rd?ep=${name}&lt=300&lwm2m=1.1&b=U`,
    contentFormat: 40,
    payload: '</3/0>',
    timeoutMs: 4_000,
  });

/**
 * The code a request was answered with: an unprotected OSCORE error fails the request with a
 * CoapError; an LwM2M refusal (4.03) comes back protected, as a response.
 */
async function answerCode(promise: Promise<{ code: number }>): Promise<string> {
  try {
    return formatCode((await promise).code);
  } catch (e) {
    if (CoapError.isInstance(e)) return formatCode(e.code);
    throw e;
  }
}

/** Sends raw bytes from a fresh socket and returns the first datagram answered. */
async function exchangeRaw(frame: Uint8Array): Promise<Uint8Array> {
  const socket = createSocket('udp4');
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), 3_000);
      socket.once('message', (m) => {
        clearTimeout(timer);
        resolve(new Uint8Array(m));
      });
      socket.send(frame, app.coapPort, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

const registered = async (endpoint: string) => (await api(app, 'GET', `/api/clients/${endpoint}`)).status === 200;

describe('OSCORE on the app UDP port', () => {
  it('registers an LwM2M client over OSCORE; read, write and observe go through OSCORE', async () => {
    const d = DEVICES['osc-a'];
    const temperature = ipsoSensor({ value: 20, units: 'Cel' });
    const client = new LwM2mClient({
      endpointName: 'osc-a',
      transportFactory: oscoreFactory,
      objects: [
        {
          id: 0,
          instances: {
            0: securityInstance({
              uri: `coap://127.0.0.1:${app.coapPort}`,
              shortServerId: 1,
              mode: SecurityMode.NO_SEC,
              oscoreInstanceId: 0,
            }),
          },
        },
        { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
        {
          id: 21,
          instances: {
            0: oscoreInstance({ masterSecret: d.secret, senderId: d.id, recipientId: SERVER_ID, masterSalt: SALT }),
          },
        },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'OSCORE Acme' }) } },
        { id: 3303, instances: { 0: temperature } },
      ],
    });
    cleanups.push(() => client.stop());
    await client.start();
    const registration = await waitFor(async () => {
      const r = await api(app, 'GET', '/api/clients/osc-a');
      return r.status === 200 ? r.json : undefined;
    });
    expect(registration).toMatchObject({ secured: true, securityMode: 'oscore', transport: 'coap' });

    expect((await api(app, 'GET', '/api/clients/osc-a/3/0/0')).json.content.value).toBe('OSCORE Acme');
    const w = await api(app, 'PUT', '/api/clients/osc-a/3/0/14', { kind: 'resource', id: 14, value: '+01:00' });
    expect(w).toMatchObject({ status: 200, json: { code: '2.04' } });
    expect((await api(app, 'GET', '/api/clients/osc-a/3/0/14')).json.content.value).toBe('+01:00');

    const notifications: Notification[] = [];
    app.server.events.on('notification', (n) => notifications.push(n));
    const o = await api(app, 'POST', '/api/clients/osc-a/3303/0/5700/observe');
    expect(o.status, o.text).toBe(200);
    temperature.update(25.5);
    await waitFor(() => notifications.some((n) => n.observation.endpoint === 'osc-a'), 8_000);
    temperature.update(26.5);
    await waitFor(() => notifications.filter((n) => n.observation.endpoint === 'osc-a').length >= 2, 8_000);

    // On the wire (the log keeps what crossed the socket) every downlink is an OSCORE POST or
    // FETCH (for Observe) without Uri-Path, and the answers are 2.04 / 2.05: the rest is inside.
    const log = await api(app, 'GET', '/api/clients/osc-a/log');
    expect(log.status).toBe(200);
    const entries = log.json as { direction: string; code: string; path: string }[];
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const e of entries) {
      expect(e.path).toBe('/');
      expect(e.code).toMatch(e.direction === 'out' ? /^(POST|FETCH)$/ : /^2\.0[45]$/);
    }
  });

  it('refuses an unknown Sender ID with 4.01 and a wrong master secret with 4.00; nothing registers', async () => {
    const unknown = await rawOscoreEndpoint(deviceContext({ id: bytes('0e0e'), secret: DEVICES['osc-b'].secret }));
    expect(await answerCode(register(unknown.endpoint, 'osc-b'))).toBe('4.01');
    const wrongKey = await rawOscoreEndpoint(
      deviceContext({ id: DEVICES['osc-b'].id, secret: bytes('ff'.repeat(16)) }),
    );
    // RFC 8613 §8.2 step 6: the context is found by 'kid', decryption fails: 4.00 Bad Request.
    expect(await answerCode(register(wrongKey.endpoint, 'osc-b'))).toBe('4.00');
    expect(await registered('osc-b')).toBe(false);
  });

  it("refuses a device registering under another endpoint's name with 4.03", async () => {
    const b = await rawOscoreEndpoint(deviceContext(DEVICES['osc-b']));
    expect(await answerCode(register(b.endpoint, 'osc-r'))).toBe('4.03');
    expect(await answerCode(register(b.endpoint, 'no-such-endpoint'))).toBe('4.03');
    expect(await registered('osc-r')).toBe(false);
    // Its own name works, and shows the OSCORE identity.
    expect(formatCode((await register(b.endpoint, 'osc-b')).code)).toBe('2.01');
    expect((await api(app, 'GET', '/api/clients/osc-b')).json).toMatchObject({ securityMode: 'oscore' });
  });

  it('refuses a replayed request (new Message ID, same Partial IV) with 4.01 and changes nothing', async () => {
    const r = await rawOscoreEndpoint(deviceContext(DEVICES['osc-r']));
    expect(formatCode((await register(r.endpoint, 'osc-r')).code)).toBe('2.01');
    const first = (await api(app, 'GET', '/api/clients/osc-r')).json;
    const original = decodeUdp(r.sent[0]!);
    const replay = encodeUdp({ ...original, messageId: (original.messageId + 7) & 0xffff });
    const answer = decodeUdp(await exchangeRaw(replay));
    expect(formatCode(answer.code)).toBe('4.01');
    expect(new TextDecoder().decode(answer.payload)).toBe('Replay detected');
    const after = (await api(app, 'GET', '/api/clients/osc-r')).json;
    expect(after.registrationId).toBe(first.registrationId);
  });

  it('answers malformed OSCORE input with an error code and keeps serving', async () => {
    const base = {
      type: MessageType.CON,
      messageId: 0x1234,
      token: bytes('0102'),
      payload: bytes('00112233445566778899'),
    };
    const cases: [Uint8Array, string][] = [
      [bytes('e0'), '4.02'], // reserved flag bits
      [bytes('0d01'), '4.02'], // Partial IV of 5 bytes announced, one present
      [bytes('1905'), '4.02'], // kid context length beyond the value
      [bytes('090e0e0e'), '4.01'], // unknown kid
    ];
    for (const [value, code] of cases) {
      const frame = encodeUdp({ ...base, code: CoapCode.POST, options: [{ number: 9, value }] });
      expect(formatCode(decodeUdp(await exchangeRaw(frame)).code), hex(value)).toBe(code);
    }
    // A request without ciphertext is a decode failure, not a crash.
    const empty = encodeUdp({
      ...base,
      code: CoapCode.POST,
      options: [{ number: 9, value: bytes('090a01') }],
      payload: new Uint8Array(0),
    });
    expect(formatCode(decodeUdp(await exchangeRaw(empty)).code)).toMatch(/^4\.0[02]$/);
    const r = await rawOscoreEndpoint(deviceContext(DEVICES['osc-m']));
    expect(
      formatCode(
        (
          await r.endpoint.request({
            method: 'GET',
            uri: `coap://127.0.0.1:${app.coapPort}/.well-known/core`,
            timeoutMs: 4_000,
          })
        ).code,
      ),
    ).toBe('2.05');
  });

  it('serves OSCORE on the bootstrap port with the bootstrap credentials', async () => {
    const d = { id: bytes('0b0b'), secret: bytes('5152535455565758595a5b5c5d5e5f60') };
    const put = await api(app, 'PUT', '/api/security/bootstrap/osc-bs', {
      oscore: { recipientId: hex(d.id), senderId: hex(SERVER_ID), masterSecret: hex(d.secret), masterSalt: hex(SALT) },
    });
    expect(put.status, put.text).toBe(201);
    const config = await api(app, 'PUT', '/api/bootstrap/osc-bs', {
      servers: { 0: { shortServerId: 7, lifetime: 120, binding: 'U', notificationStoring: true } },
    });
    expect(config.status, config.text).toBe(201);
    const bs = await rawOscoreEndpoint(deviceContext(d));
    const request = (name: string, e: Endpoint) =>
      e.request({ method: 'POST', uri: `coap://127.0.0.1:${app.bsPort}/bs?ep=${name}`, timeoutMs: 4_000 });
    // Proven as osc-bs: accepted (2.04); as another endpoint: 4.03. The LwM2M server's credentials
    // are not the bootstrap server's: a context known only there is unknown here (4.01).
    expect(await answerCode(request('osc-bs', bs.endpoint))).toBe('2.04');
    expect(await answerCode(request('osc-a', bs.endpoint))).toBe('4.03');
    const lwm2mOnly = await rawOscoreEndpoint(deviceContext(DEVICES['osc-b']));
    expect(await answerCode(request('osc-b', lwm2mOnly.endpoint))).toBe('4.01');
  });

  it('the coap CLI with --oscore-context reaches the server (GET /.well-known/core)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oscore-cli-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const d = DEVICES['osc-cli'];
    const file = join(dir, 'context.json');
    writeFileSync(
      file,
      JSON.stringify({
        senderId: hex(d.id),
        recipientId: hex(SERVER_ID),
        masterSecret: hex(d.secret),
        masterSalt: hex(SALT),
      }),
    );
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      stdin: new PassThrough(),
      signal: controller.signal,
    };
    const target = `coap://127.0.0.1:${app.coapPort}/.well-known/core`;
    expect(await runCli(['get', '-v', '--oscore-context', file, target], io), err.join('\n')).toBe(0);
    expect(out.join('\n')).toContain('</rd>');
    expect(err.join('\n')).toMatch(/CON POST .*\[Oscore:0x[0-9a-f]+\]/);
    // The CLI keeps its sequence number beside the file, so a second run is no replay.
    expect(await runCli(['get', '--oscore-context', file, target], io), err.join('\n')).toBe(0);
  });
});
