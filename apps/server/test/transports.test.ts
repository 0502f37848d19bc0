/** LwM2M over CoAP/TCP and CoAP/WebSockets (on the HTTP port), next to UDP, behind one API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

let app: ServerApp;
const devices: SimulatedDevice[] = [];

beforeAll(async () => {
  app = await startTestApp({ tcpHost: '127.0.0.1', tcpPort: 0, coapOverWebSockets: true });
});
afterAll(async () => {
  for (const d of devices) await d.stop();
  await app?.close();
});

describe('transports', () => {
  it('serves devices over UDP, TCP and WebSockets side by side', async () => {
    const httpPort = Number(new URL(app.httpUrl).port);
    expect(app.tcpPort).toBeGreaterThan(0);
    devices.push(await startSimulatedDevice(app.coapPort, 'over-udp'));
    devices.push(await startSimulatedDevice(app.tcpPort!, 'over-tcp', { transport: 'tcp' }));
    devices.push(await startSimulatedDevice(httpPort, 'over-ws', { transport: 'ws' }));
    const list = await waitFor(async () => {
      const r = await api(app, 'GET', '/api/clients');
      return r.json.total === 3 ? r.json : undefined;
    });
    const transports = Object.fromEntries(
      list.items.map((c: { endpoint: string; transport: string }) => [c.endpoint, c.transport]),
    );
    expect(transports).toEqual({ 'over-tcp': 'coap+tcp', 'over-udp': 'coap', 'over-ws': 'coap+ws' });
    for (const ep of ['over-udp', 'over-tcp', 'over-ws']) {
      const read = await api(app, 'GET', `/api/clients/${ep}/3/0/0`);
      expect(read.status, `${ep}: ${read.text}`).toBe(200);
      expect(read.json.content.value).toBe('lwm2m-ts');
      const write = await api(app, 'PUT', `/api/clients/${ep}/3/0/15`, 'UTC');
      expect(write.status, ep).toBe(200);
    }
    const tcpLog = await api(app, 'GET', '/api/clients/over-tcp/log');
    expect(tcpLog.json.some((e: { path: string; type: string }) => e.path === '/rd' && e.type === '')).toBe(true);
    const wsLog = await api(app, 'GET', '/api/clients/over-ws/log');
    expect(wsLog.json.some((e: { code: string; path: string }) => e.code === 'GET' && e.path === '/3/0/0')).toBe(true);
  });

  it('keeps the API and events working on the HTTP port that also carries CoAP', async () => {
    expect((await api(app, 'GET', '/api/openapi.json')).status).toBe(200);
    const observe = await api(app, 'POST', '/api/clients/over-ws/3303/0/5700/observe');
    expect(observe.status, observe.text).toBe(200);
    expect((await api(app, 'DELETE', `/api/clients/over-ws/observations/${observe.json.observationId}`)).status).toBe(
      204,
    );
  });
});
