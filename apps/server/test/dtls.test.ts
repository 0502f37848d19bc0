/** LwM2M over CoAP/DTLS with a PSK added through the API; the identity shows as "secured". */
import { deviceInstance, LwM2mClient, SecurityMode, securityInstance, serverInstance } from '@lwm2m-ts/client';
import { createDtlsClient } from '@lwm2m-ts/transport-dtls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';
import { startSimulatedDevice } from './simulated-device';

let app: ServerApp;
let client: LwM2mClient | undefined;
const key = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await client?.stop();
  await app?.close();
});

describe('CoAP over DTLS', () => {
  it('admits a device whose PSK was added through the API, and marks it secured', async () => {
    expect(app.dtlsPort).toBeGreaterThan(0);
    const put = await api(app, 'PUT', '/api/security/clients/psk-dev', {
      psk: { identity: 'psk-dev-id', key: Buffer.from(key).toString('hex') },
    });
    expect(put.status).toBe(201);
    client = new LwM2mClient({
      endpointName: 'psk-dev',
      transport: await createDtlsClient({ psk: { identity: 'psk-dev-id', key } }),
      objects: [
        {
          id: 0,
          instances: {
            0: securityInstance({
              uri: `coaps://127.0.0.1:${app.dtlsPort}`,
              shortServerId: 1,
              mode: SecurityMode.PSK,
              identity: 'psk-dev-id',
              secretKey: key,
            }),
          },
        },
        { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'lwm2m-ts' }) } },
      ],
    });
    await client.start();
    const registration = await waitFor(async () => {
      const r = await api(app, 'GET', '/api/clients/psk-dev');
      return r.status === 200 ? r.json : undefined;
    });
    expect(registration).toMatchObject({ secured: true, securityMode: 'psk', transport: 'coaps' });
    const read = await api(app, 'GET', '/api/clients/psk-dev/3/0/0');
    expect(read.json.content.value).toBe('lwm2m-ts');
  });

  it('refuses the provisioned endpoint over plain UDP', async () => {
    const impostor = await startSimulatedDevice(app.coapPort, 'psk-dev');
    try {
      const log = await waitFor(async () => {
        const entries = (await api(app, 'GET', '/api/clients/psk-dev/log')).json as {
          direction: string;
          code: string;
          peer: string;
        }[];
        return entries.find((e) => e.direction === 'out' && e.code === '4.03') ? entries : undefined;
      });
      expect(log.length).toBeGreaterThan(0);
      expect((await api(app, 'GET', '/api/clients/psk-dev')).json).toMatchObject({ transport: 'coaps', secured: true });
    } finally {
      await impostor.stop().catch(() => undefined);
    }
  });
});
