/** Without --redis, GET /api/cluster/nodes lists the one local node and every device it serves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, startTestApp, waitFor } from './app-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

let app: ServerApp;
let device: SimulatedDevice;
beforeAll(async () => {
  app = await startTestApp({ coapPort: 27080, httpPort: 27081, coaps: false, bootstrap: false, nodeId: 'solo' });
  device = await startSimulatedDevice(app.coapPort, 'solo-1');
});
afterAll(async () => {
  await device?.stop();
  await app?.close();
});

describe('single node', () => {
  it('lists itself with its devices', async () => {
    await waitFor(async () => (await api(app, 'GET', '/api/clients/solo-1')).status === 200);
    const nodes = await api(app, 'GET', '/api/cluster/nodes');
    expect(nodes.status).toBe(200);
    expect(nodes.json).toEqual({
      nodes: [{ id: 'solo', devices: 1, lastSeen: expect.any(Number), http: app.httpUrl }],
    });
    expect(app.cluster).toBeUndefined();
  });

  it('documents the endpoint in the OpenAPI description', async () => {
    const doc = (await api(app, 'GET', '/api/openapi.json')).json;
    expect(doc.paths['/api/cluster/nodes'].get.summary).toMatch(/cluster nodes/i);
  });

  it('keeps events live-only: a since id replays nothing and breaks nothing', async () => {
    const controller = new AbortController();
    const response = await fetch(`${app.httpUrl}/api/events?since=1-0`, { signal: controller.signal });
    expect(response.status).toBe(200);
    controller.abort();
  });
});
