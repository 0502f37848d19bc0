import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerApp } from '../src/index';
import { api, type Json, startTestApp, waitFor } from './app-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

let app: ServerApp;
let ws: WebSocket;
const received: Json[] = [];

beforeAll(async () => {
  app = await startTestApp({ awakeTimeMs: 400 });
  ws = new WebSocket(`${app.httpUrl.replace('http', 'ws')}/api/events/ws?endpoint=sleepy`);
  ws.on('message', (data) => received.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
});
afterAll(async () => {
  ws?.close();
  await app?.close();
});

describe('queue mode and live events over a WebSocket', () => {
  let device: SimulatedDevice;

  it('reports the registration, then the client going to sleep', async () => {
    device = await startSimulatedDevice(app.coapPort, 'sleepy', { queueMode: true });
    const registered = await waitFor(() => received.find((e) => e.type === 'registered'));
    expect(registered.registration).toMatchObject({ endpoint: 'sleepy', queueMode: true });
    await waitFor(() => received.find((e) => e.type === 'sleeping'), 5_000);
    const client = await api(app, 'GET', '/api/clients/sleepy');
    expect(client.json.sleeping).toBe(true);
  });

  it('queues a request for a sleeping client (409), lists and cancels it', async () => {
    const read = await api(app, 'GET', '/api/clients/sleepy/3/0/0');
    expect(read.status).toBe(409);
    expect(read.json).toMatchObject({ error: 'client-sleeping', queuedRequestId: expect.any(String) });
    const queue = await api(app, 'GET', '/api/clients/sleepy/queue');
    expect(queue.json).toEqual([
      expect.objectContaining({ id: read.json.queuedRequestId, kind: 'read', path: '/3/0/0' }),
    ]);
    expect((await api(app, 'DELETE', `/api/clients/sleepy/queue/${read.json.queuedRequestId}`)).status).toBe(204);
    expect((await api(app, 'GET', '/api/clients/sleepy/queue')).json).toEqual([]);
    expect((await api(app, 'DELETE', `/api/clients/sleepy/queue/${read.json.queuedRequestId}`)).status).toBe(404);
    await waitFor(() =>
      received.find((e) => e.type === 'queue' && e.outcome === 'dropped' && e.detail === 'cancelled'),
    );
  });

  it('delivers a queued request when the client wakes up', async () => {
    const write = await api(app, 'PUT', '/api/clients/sleepy/3/0/15', 'Asia/Tokyo');
    expect(write.status).toBe(409);
    await device.client.wakeAndUpdate();
    const delivered = await waitFor(
      () =>
        received.find(
          (e) => e.type === 'queue' && e.queuedRequestId === write.json.queuedRequestId && e.outcome === 'delivered',
        ),
      8_000,
    );
    expect(delivered.detail).toBe('2.04');
    expect(received.some((e) => e.type === 'awake')).toBe(true);
  });

  it('filters by endpoint: events of other clients do not arrive', () => {
    expect(received.every((e) => e.endpoint === 'sleepy')).toBe(true);
    expect(received.some((e) => e.type === 'coap')).toBe(true);
  });

  it('force de-registers a client', async () => {
    const del = await api(app, 'DELETE', '/api/clients/sleepy');
    expect(del.status).toBe(204);
    await waitFor(() => received.find((e) => e.type === 'deregistered'));
    expect((await api(app, 'GET', '/api/clients/sleepy')).status).toBe(404);
    expect((await api(app, 'DELETE', '/api/clients/sleepy')).status).toBe(404);
    await device.client.stop({ deregister: false });
  });

  it('refuses a WebSocket with an unknown event type and answers 426 to plain HTTP', async () => {
    const bad = new WebSocket(`${app.httpUrl.replace('http', 'ws')}/api/events/ws?types=bogus`);
    const status = await new Promise<number | undefined>((resolve) => {
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      bad.on('open', () => resolve(101));
      bad.on('error', () => undefined);
    });
    expect(status).toBe(400);
    expect((await api(app, 'GET', '/api/events/ws')).status).toBe(426);
    expect((await api(app, 'GET', '/api/events?types=bogus')).status).toBe(400);
  });
});
