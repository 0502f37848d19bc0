/** A device with only a bootstrap account gets its server account from our bootstrap server, then registers. */
import { deviceInstance, LwM2mClient, securityInstance } from '@lwm2m-ts/client';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';

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

describe('bootstrap', () => {
  it('provisions a device from the configuration put through the API', async () => {
    const put = await api(app, 'PUT', '/api/bootstrap/fresh-device', {
      toDelete: ['/0', '/1'],
      security: {
        1: { uri: `coap://127.0.0.1:${app.coapPort}`, bootstrapServer: false, securityMode: 3, shortServerId: 7 },
      },
      servers: { 0: { shortServerId: 7, lifetime: 120, binding: 'U', notificationStoring: true } },
    });
    expect(put.status, put.text).toBe(201);
    client = new LwM2mClient({
      endpointName: 'fresh-device',
      transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
      objects: [
        { id: 0, instances: { 0: securityInstance({ uri: `coap://127.0.0.1:${app.bsPort}`, bootstrap: true }) } },
        { id: 1, instances: {} },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'lwm2m-ts' }) } },
      ],
    });
    await client.start();
    const registered = await waitFor(async () => {
      const r = await api(app, 'GET', '/api/clients/fresh-device');
      return r.status === 200 ? r.json : undefined;
    }, 15_000);
    expect(registered.lifetime).toBe(120);
    expect(events.filter((e) => e.type === 'bootstrap').map((e) => e.phase)).toEqual(['started', 'finished']);
    const read = await api(app, 'GET', '/api/clients/fresh-device/1/0/0');
    expect(read.json.content.value).toBe(7);
    const log = await api(app, 'GET', '/api/clients/fresh-device/log');
    const paths = log.json.map((e: { code: string; path: string }) => `${e.code} ${e.path}`);
    expect(paths).toContain('POST /bs');
    expect(paths).toContain('POST /rd');
  });
});
