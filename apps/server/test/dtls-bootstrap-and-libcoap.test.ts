/**
 * Bootstrap over DTLS with per-endpoint bootstrap PSKs, then registration over DTLS with the PSK the
 * bootstrap wrote; and libcoap's coap-client (OpenSSL build) registering over DTLS with a PSK.
 */
import { execFile, spawnSync } from 'node:child_process';
import { deviceInstance, LwM2mClient, SecurityMode, securityInstance } from '@lwm2m-ts/client';
import { createDtlsClient } from '@lwm2m-ts/transport-dtls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bsKey = new Uint8Array(16).fill(0x5b);
const serverKey = new Uint8Array(16).fill(0x5c);

let app: ServerApp;
let client: LwM2mClient | undefined;
const events: { type: string; phase?: string; endpoint: string }[] = [];

beforeAll(async () => {
  app = await startTestApp();
  app.context.hub.subscribe({}, (e) => events.push(e as (typeof events)[number]));
});
afterAll(async () => {
  await client?.stop();
  await app?.close();
});

describe('bootstrap over DTLS', () => {
  it('bootstraps with the bootstrap PSK, then registers over DTLS with the PSK it was given', async () => {
    const bsCreds = await api(app, 'PUT', '/api/security/bootstrap/bs-dtls-dev', {
      psk: { identity: 'bs-dtls-dev-bs', key: hex(bsKey) },
    });
    expect(bsCreds.status, bsCreds.text).toBe(201);
    const serverCreds = await api(app, 'PUT', '/api/security/clients/bs-dtls-dev', {
      psk: { identity: 'bs-dtls-dev-id', key: hex(serverKey) },
    });
    expect(serverCreds.status).toBe(201);
    const config = await api(app, 'PUT', '/api/bootstrap/bs-dtls-dev', {
      toDelete: ['/0', '/1'],
      security: {
        1: {
          uri: `coaps://127.0.0.1:${app.coapsPort}`,
          bootstrapServer: false,
          securityMode: 0,
          publicKeyOrIdentity: hex(new TextEncoder().encode('bs-dtls-dev-id')),
          secretKey: hex(serverKey),
          shortServerId: 9,
        },
      },
      servers: { 0: { shortServerId: 9, lifetime: 120, binding: 'U', notificationStoring: true } },
    });
    expect(config.status, config.text).toBe(201);
    const transports: string[] = [];
    client = new LwM2mClient({
      endpointName: 'bs-dtls-dev',
      transportFactory: async (account) => {
        transports.push(`${account.bootstrap ? 'bs' : account.shortServerId} ${account.pskIdentity}`);
        if (account.securityMode !== SecurityMode.PSK || !account.pskIdentity || !account.pskKey) return undefined;
        return { transport: await createDtlsClient({ psk: { identity: account.pskIdentity, key: account.pskKey } }) };
      },
      objects: [
        {
          id: 0,
          instances: {
            0: securityInstance({
              uri: `coaps://127.0.0.1:${app.bsCoapsPort}`,
              bootstrap: true,
              mode: SecurityMode.PSK,
              identity: 'bs-dtls-dev-bs',
              secretKey: bsKey,
            }),
          },
        },
        { id: 1, instances: {} },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'lwm2m-ts' }) } },
      ],
    });
    await client.start();
    const registered = await waitFor(async () => {
      const r = await api(app, 'GET', '/api/clients/bs-dtls-dev');
      return r.status === 200 ? r.json : undefined;
    }, 15_000);
    expect(registered).toMatchObject({ lifetime: 120, secured: true, securityMode: 'psk', transport: 'coaps' });
    expect(transports).toEqual(['bs bs-dtls-dev-bs', '9 bs-dtls-dev-id']);
    const phases = events.filter((e) => e.type === 'bootstrap' && e.endpoint === 'bs-dtls-dev').map((e) => e.phase);
    expect(phases).toEqual(['started', 'finished']);
    expect((await api(app, 'GET', '/api/clients/bs-dtls-dev/1/0/0')).json.content.value).toBe(9);
  });

  it('refuses a device with bootstrap credentials over plain UDP bootstrap', async () => {
    await api(app, 'PUT', '/api/security/bootstrap/bs-locked', { psk: { identity: 'bs-locked-id', key: '0102' } });
    const udp = await import('@lwm2m-ts/transport-udp').then((m) => m.createUdpTransport({ host: '127.0.0.1' }));
    const { Endpoint } = await import('@lwm2m-ts/coap');
    const endpoint = new Endpoint({ transport: udp });
    try {
      const answer = await endpoint.request({
        method: 'POST',
        uri: `coap://127.0.0.1:${app.bsPort}/bs?ep=bs-locked`,
        timeoutMs: 5_000,
      });
      expect(answer.codeText).toBe('4.03');
      const open = await endpoint.request({
        method: 'POST',
        uri: `coap://127.0.0.1:${app.bsPort}/bs?ep=bs-open`,
        timeoutMs: 5_000,
      });
      expect(open.codeText).not.toBe('4.03');
    } finally {
      await endpoint.close();
    }
  });
});

const libcoap = spawnSync('coap-client-openssl', ['-h'], { encoding: 'utf8' });
const hasLibcoap = libcoap.error === undefined;
if (!hasLibcoap) {
  if (process.env.CI === 'true') throw new Error('coap-client-openssl (Debian libcoap3-bin) is missing');
  console.warn(
    '\n!!! SKIPPING libcoap DTLS test: coap-client-openssl not installed (apt-get install libcoap3-bin) !!!\n',
  );
}

describe.skipIf(!hasLibcoap)('libcoap coap-client over DTLS', () => {
  it('registers with a PSK added over the API and shows up in GET /api/clients', async () => {
    const put = await api(app, 'PUT', '/api/security/clients/libcoap-dev', {
      psk: { identity: 'libcoap-id', key: hex(new TextEncoder().encode('libcoap-secret')) },
    });
    expect(put.status).toBe(201);
    const run = (ep: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          'coap-client-openssl',
          [
            ...['-m', 'post', '-u', 'libcoap-id', '-k', 'libcoap-secret', '-e', '</3/0>', '-B', '10', '-v', '6'],
            `coaps://127.0.0.1:${app.coapsPort}/rd?ep=${ep}&lt=60`,
          ],
          { timeout: 15_000 },
          (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
        );
      });
    const ok = await run('libcoap-dev');
    expect(ok.code, ok.stderr).toBe(0);
    expect(`${ok.stdout}${ok.stderr}`).toMatch(/2\.01/);
    const list = await waitFor(async () => {
      const clients = (await api(app, 'GET', '/api/clients')).json.items as { endpoint: string }[];
      return clients.some((c) => c.endpoint === 'libcoap-dev') ? clients : undefined;
    });
    expect(list.find((c) => c.endpoint === 'libcoap-dev')).toMatchObject({ securityMode: 'psk', transport: 'coaps' });
    // The same identity cannot register as another endpoint.
    const denied = await run('libcoap-other');
    expect(`${denied.stdout}${denied.stderr}`).toMatch(/4\.03/);
    expect((await api(app, 'GET', '/api/clients/libcoap-other')).status).toBe(404);
  });
});
