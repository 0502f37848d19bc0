import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, type Json, startTestApp, waitFor } from './app-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

let app: ServerApp;
let device: SimulatedDevice;

beforeAll(async () => {
  app = await startTestApp();
  device = await startSimulatedDevice(app.coapPort, 'sim-ops');
  await waitFor(async () => (await api(app, 'GET', '/api/clients/sim-ops')).status === 200);
});
afterAll(async () => {
  await device?.stop();
  await app?.close();
});

describe('clients', () => {
  it('lists the registered device with its registration facts', async () => {
    const { status, json } = await api(app, 'GET', '/api/clients?search=OPS');
    expect(status).toBe(200);
    expect(json.total).toBe(1);
    const [client] = json.items;
    expect(client).toMatchObject({
      endpoint: 'sim-ops',
      address: '127.0.0.1',
      lifetime: 300,
      lwm2mVersion: '1.1',
      binding: 'U',
      queueMode: false,
      sleeping: false,
      secured: false,
    });
    expect(client.registrationId).toEqual(expect.any(String));
    expect(client.objects.map((o: { id: number }) => o.id)).toEqual(expect.arrayContaining([1, 3, 3303]));
    expect(Date.parse(client.lastUpdate)).not.toBeNaN();
  });

  it('pages and filters', async () => {
    expect((await api(app, 'GET', '/api/clients?search=nomatch')).json).toMatchObject({ total: 0, items: [] });
    expect((await api(app, 'GET', '/api/clients?limit=0')).status).toBe(400);
    expect((await api(app, 'GET', '/api/clients?offset=1')).json.items).toEqual([]);
  });

  it('answers 404 for an unknown client', async () => {
    const { status, json } = await api(app, 'GET', '/api/clients/ghost/3/0/0');
    expect(status).toBe(404);
    expect(json).toMatchObject({ error: 'unknown-client' });
    expect((await api(app, 'GET', '/api/clients/ghost')).status).toBe(404);
  });
});

describe('device management', () => {
  it('reads a resource, an instance and an object in several formats', async () => {
    const r = await api(app, 'GET', '/api/clients/sim-ops/3/0/0');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      code: '2.05',
      content: { kind: 'resource', id: 0, type: 'string', value: 'lwm2m-ts' },
    });
    for (const format of ['tlv', 'senml-json', 'senml-cbor', 'lwm2m-cbor', 'json']) {
      const i = await api(app, 'GET', `/api/clients/sim-ops/3303/0?format=${format}`);
      expect(i.status, format).toBe(200);
      const value = i.json.content.resources.find((x: { id: number }) => x.id === 5700);
      expect(value, format).toMatchObject({ type: 'float', value: 21.5 });
    }
    const o = await api(app, 'GET', '/api/clients/sim-ops/3303?format=senml-json');
    expect(o.json.content).toMatchObject({ kind: 'object', id: 3303, instances: [{ id: 0 }] });
  });

  it('rejects a bad format or path', async () => {
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/0/0?format=xml')).status).toBe(400);
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/x')).status).toBe(400);
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/01')).status).toBe(400);
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/0/0?timeout=0')).status).toBe(400);
  });

  it('maps a device error code to HTTP', async () => {
    const r = await api(app, 'GET', '/api/clients/sim-ops/3/0/999');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ error: 'device-error', coapCode: '4.04' });
  });

  it('writes with a JSON node and with a text value, and reads the result back', async () => {
    const w = await api(app, 'PUT', '/api/clients/sim-ops/3/0/14', { kind: 'resource', id: 14, value: '+02:00' });
    expect(w).toMatchObject({ status: 200, json: { code: '2.04' } });
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/0/14')).json.content.value).toBe('+02:00');
    const t = await api(app, 'PUT', '/api/clients/sim-ops/3/0/15', 'Europe/Paris');
    expect(t.status).toBe(200);
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/0/15')).json.content.value).toBe('Europe/Paris');
  });

  it('partially updates an instance with replace=false', async () => {
    const body = { resources: [{ id: 5750, value: 'boiler' }] };
    const r = await api(app, 'PUT', '/api/clients/sim-ops/3303/0?replace=false', body);
    expect(r.status, r.text).toBe(200);
    expect((await api(app, 'GET', '/api/clients/sim-ops/3303/0/5750')).json.content.value).toBe('boiler');
    expect((await api(app, 'GET', '/api/clients/sim-ops/3303/0/5700')).json.content.value).toBe(21.5);
  });

  it('refuses a body of the wrong type with 400 before contacting the device', async () => {
    const r = await api(app, 'PUT', '/api/clients/sim-ops/3303/0/5700', { value: 'warm' });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/expected a number/);
  });

  it('executes with arguments', async () => {
    const r = await api(app, 'POST', '/api/clients/sim-ops/3/0/4', "0='now'");
    expect(r).toMatchObject({ status: 200, json: { code: '2.04' } });
    await waitFor(() => device.reboots.length > 0);
    expect((await api(app, 'POST', '/api/clients/sim-ops/3/0/4', '0=bad')).status).toBe(400);
  });

  it('creates and deletes an instance', async () => {
    const c = await api(app, 'POST', '/api/clients/sim-ops/3303', { id: 7, resources: [{ id: 5700, value: 3.5 }] });
    expect(c.status, c.text).toBe(201);
    expect(c.json).toMatchObject({ code: '2.01', location: '/3303/7' });
    expect((await api(app, 'GET', '/api/clients/sim-ops/3303/7/5700')).json.content.value).toBe(3.5);
    expect((await api(app, 'DELETE', '/api/clients/sim-ops/3303/7')).json).toMatchObject({ code: '2.02' });
    expect((await api(app, 'GET', '/api/clients/sim-ops/3303/7')).status).toBe(404);
  });

  it('discovers and writes attributes', async () => {
    const a = await api(app, 'PUT', '/api/clients/sim-ops/3303/0/5700/attributes?pmin=1&pmax=60');
    expect(a.status, a.text).toBe(200);
    const d = await api(app, 'GET', '/api/clients/sim-ops/3303/0/discover');
    expect(d.status).toBe(200);
    const link = d.json.links.find((l: { path: string }) => l.path === '/3303/0/5700');
    expect(link.attributes).toMatchObject({ pmin: '1', pmax: '60' });
    expect((await api(app, 'PUT', '/api/clients/sim-ops/3303/0/attributes')).status).toBe(400);
  });

  it('observes: notifications arrive as events, then cancels', async () => {
    const events: Json[] = [];
    const controller = new AbortController();
    const stream = await fetch(`${app.httpUrl}/api/events?endpoint=sim-ops&types=notification`, {
      signal: controller.signal,
    });
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value);
          for (const line of buffer.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
          buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
        }
      } catch {
        // aborted
      }
    })();
    const o = await api(app, 'POST', '/api/clients/sim-ops/3303/0/5700/observe');
    expect(o.status, o.text).toBe(200);
    expect(o.json).toMatchObject({ observationId: expect.any(String), content: { value: expect.any(Number) } });
    const list = await api(app, 'GET', '/api/clients/sim-ops/observations');
    expect(list.json).toEqual([expect.objectContaining({ id: o.json.observationId, paths: ['/3303/0/5700'] })]);
    await new Promise((r) => setTimeout(r, 1100)); // pmin=1 from the attributes test
    device.setTemperature(30.25);
    const n = await waitFor(() => events.find((e) => e.content?.value === 30.25), 8_000);
    expect(n).toMatchObject({ type: 'notification', endpoint: 'sim-ops', paths: ['/3303/0/5700'], code: '2.05' });
    const c = await api(app, 'DELETE', '/api/clients/sim-ops/3303/0/5700/observe');
    expect(c).toMatchObject({ status: 200, json: { cancelled: 1 } });
    expect((await api(app, 'GET', '/api/clients/sim-ops/observations')).json).toEqual([]);
    expect((await api(app, 'DELETE', '/api/clients/sim-ops/3303/0/5700/observe')).status).toBe(404);
    controller.abort();
    await pump;
  });

  it('runs composite read, write and observe', async () => {
    const r = await api(app, 'POST', '/api/clients/sim-ops/composite/read', { paths: ['/3/0/0', '/3303/0/5700'] });
    expect(r.status, r.text).toBe(200);
    expect(r.json.content['/3/0/0']).toMatchObject({ value: 'lwm2m-ts' });
    const w = await api(app, 'POST', '/api/clients/sim-ops/composite/write', {
      nodes: { '/3/0/14': { value: '+01:00' }, '/3303/0/5750': { value: 'room' } },
    });
    expect(w.status, w.text).toBe(200);
    expect((await api(app, 'GET', '/api/clients/sim-ops/3/0/14')).json.content.value).toBe('+01:00');
    const o = await api(app, 'POST', '/api/clients/sim-ops/composite/observe', { paths: ['/3303/0/5700'] });
    expect(o.status, o.text).toBe(200);
    const del = await api(app, 'DELETE', `/api/clients/sim-ops/observations/${o.json.observationId}`);
    expect(del.status).toBe(204);
    expect((await api(app, 'POST', '/api/clients/sim-ops/composite/read', { paths: [] })).status).toBe(400);
  });

  it('reports data the device sends (LwM2M 1.1 Send) as events', async () => {
    const sent: Json[] = [];
    const off = app.context.hub.subscribe({ endpoint: 'sim-ops', types: new Set(['send']) }, (e) => sent.push(e));
    await device.client.send(['/3303/0/5700', '/3/0/0']);
    const event = await waitFor(() => sent[0]);
    off();
    expect(Object.keys(event.content).sort()).toEqual(['/3/0/0', '/3303/0/5700']);
    expect(event.content['/3/0/0']).toMatchObject({ value: 'lwm2m-ts' });
  });

  it('keeps a CoAP message log of the client', async () => {
    const log = await api(app, 'GET', '/api/clients/sim-ops/log');
    expect(log.status).toBe(200);
    const register = log.json.find((e: Json) => e.direction === 'in' && e.code === 'POST' && e.path === '/rd');
    expect(register).toMatchObject({ type: 'CON', query: expect.stringContaining('ep=sim-ops') });
    expect(log.json.some((e: Json) => e.direction === 'out' && e.code === 'GET' && e.path === '/3/0/0')).toBe(true);
  });
});
