/**
 * Cluster mode: DTLS credentials added, changed or removed through one node decide the next
 * handshake on every node (each node's synchronous PSK / RPK index follows sec:changed), and
 * credentials stored before a node starts are usable there.
 * Ports 27600-27625 (CoAP/HTTP 27600-27605, CoAP/DTLS 27620-27622), Redis 27648.
 */
import { createPublicKey } from 'node:crypto';
import { type LwM2mClient, SecurityMode } from '@lwm2m-ts/client';
import { Endpoint } from '@lwm2m-ts/coap';
import { createDtlsClient, type DtlsClientOptions } from '@lwm2m-ts/transport-dtls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, waitFor } from './app-harness';
import { RedisServerProcess, requireRedisServer, startClusterNode } from './cluster-harness';
import { ecKeyPair, secureDevice } from './secure-fixtures';

const BASE = 27600;
const DTLS_BASE = 27620;
const REDIS_PORT = 27648;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const key1 = new Uint8Array(16).fill(0x11);
const key2 = new Uint8Array(16).fill(0x22);
const serverRpk = ecKeyPair();

const redisAvailable = requireRedisServer('server-app cluster DTLS credentials');
let redis: RedisServerProcess;
const nodes: ServerApp[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

function startNode(index: number): Promise<ServerApp> {
  return startClusterNode(redis.url, BASE, index, {
    coaps: true,
    coapsHost: '127.0.0.1',
    coapsPort: DTLS_BASE + index,
    credentials: { rpkPrivateKey: serverRpk.privateKey },
  }).then((node) => {
    nodes.push(node);
    return node;
  });
}

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await RedisServerProcess.start({ port: REDIS_PORT });
}, 30_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  for (const node of nodes) await node.close().catch(() => undefined);
  await redis?.stop();
});

/** One Register over a fresh DTLS association: the response code, or 'no session' when the handshake fails. */
async function registerOnce(node: ServerApp, endpoint: string, client: DtlsClientOptions): Promise<string> {
  const transport = await createDtlsClient(client);
  try {
    const response = await new Endpoint({ transport }).request({
      method: 'POST',
      uri: `coaps://127.0.0.1:${node.coapsPort}/rd?ep=${endpoint}&lt=60&lwm2m=1.1`,
      payload: '</3/0>',
      timeoutMs: 3_000,
    });
    return `${response.code >> 5}.${String(response.code & 0x1f).padStart(2, '0')}`;
  } catch {
    return transport.stats().sessions === 0 ? 'no session' : 'no answer';
  } finally {
    await transport.close();
  }
}

/** Registers until the outcome is `want`; bounded to 8 attempts (a change reaches a node in milliseconds). */
async function registerUntil(node: ServerApp, endpoint: string, client: DtlsClientOptions, want: string) {
  let outcome = '';
  for (let i = 0; i < 8 && outcome !== want; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    outcome = await registerOnce(node, endpoint, client);
  }
  return outcome;
}

async function registeredOn(node: ServerApp, endpoint: string) {
  return waitFor(async () => {
    const r = await api(node, 'GET', `/api/clients/${endpoint}`);
    return r.status === 200 ? r.json : undefined;
  });
}

async function started(client: LwM2mClient): Promise<void> {
  cleanups.push(() => client.stop());
  await client.start();
}

describe.runIf(redisAvailable)('cluster: DTLS credentials on every node', () => {
  let a: ServerApp;
  let b: ServerApp;

  it('uses a PSK stored before the node started', async () => {
    a = await startNode(0);
    const put = await api(a, 'PUT', '/api/security/clients/pre-dev', { psk: { identity: 'pre-id', key: hex(key1) } });
    expect(put.status, put.text).toBe(201);
    b = await startNode(1);
    expect(await registerOnce(b, 'pre-dev', { psk: { identity: 'pre-id', key: key1 } })).toBe('2.01');
  });

  it('a PSK added through node A registers an LwM2M client through node B', async () => {
    const put = await api(a, 'PUT', '/api/security/clients/psk-dev', { psk: { identity: 'psk-id', key: hex(key1) } });
    expect(put.status, put.text).toBe(201);
    const transport = await createDtlsClient({ psk: { identity: 'psk-id', key: key1 } });
    await started(
      secureDevice('psk-dev', transport, {
        uri: `coaps://127.0.0.1:${b.coapsPort}`,
        shortServerId: 1,
        mode: SecurityMode.PSK,
        identity: 'psk-id',
        secretKey: key1,
      }),
    );
    expect(await registeredOn(b, 'psk-dev')).toMatchObject({ secured: true, securityMode: 'psk', transport: 'coaps' });
  });

  it('a key changed through node A replaces the key node B loaded at start', async () => {
    const put = await api(a, 'PUT', '/api/security/clients/pre-dev', { psk: { identity: 'pre-id', key: hex(key2) } });
    expect(put.status, put.text).toBeLessThan(300);
    expect(await registerUntil(b, 'pre-dev', { psk: { identity: 'pre-id', key: key1 } }, 'no session')).toBe(
      'no session',
    );
    expect(await registerOnce(b, 'pre-dev', { psk: { identity: 'pre-id', key: key2 } })).toBe('2.01');
  });

  it('a PSK removed through node A gets no new session on node B (nor on a node started later)', async () => {
    // Added through B, so B's own index holds it; only A's removal message can take it out.
    const put = await api(b, 'PUT', '/api/security/clients/rm-dev', { psk: { identity: 'rm-id', key: hex(key2) } });
    expect(put.status, put.text).toBe(201);
    const client: DtlsClientOptions = { psk: { identity: 'rm-id', key: key2 } };
    expect(await registerOnce(b, 'rm-dev', client)).toBe('2.01');
    expect((await api(a, 'DELETE', '/api/security/clients/rm-dev')).status).toBeLessThan(300);
    expect(await registerUntil(b, 'rm-dev', client, 'no session')).toBe('no session');
    const c = await startNode(2);
    expect(await registerOnce(c, 'rm-dev', client)).toBe('no session');
  });

  it('a raw public key added through node A is trusted by node B, and not after removal', async () => {
    const device = ecKeyPair();
    const pem = createPublicKey(device.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const client: DtlsClientOptions = { rpk: { privateKey: device.privateKey, trusted: [serverRpk.spki] } };
    // B checks RPK trust synchronously from its index only: this passes once the change arrived.
    expect((await api(a, 'PUT', '/api/security/clients/rpk-dev', { rpk: { publicKey: pem } })).status).toBe(201);
    expect(await registerUntil(b, 'rpk-dev', client, '2.01')).toBe('2.01');
    expect((await api(a, 'DELETE', '/api/security/clients/rpk-dev')).status).toBeLessThan(300);
    expect(await registerUntil(b, 'rpk-dev', client, 'no session')).toBe('no session');
  });
});
