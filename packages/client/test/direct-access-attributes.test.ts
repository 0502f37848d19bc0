/**
 * Notification attributes of direct-access peers: a peer that writes attributes and then
 * observes gets notifications that honour them, and a host writing attributes from endless
 * source ports leaves bounded state behind.
 */
import { type CoapResponse, Endpoint } from '@lwm2m-ts/coap';
import { CoapCode } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_DIRECT_CALLERS } from '../src/attributes/attribute-store';
import { ipsoSensor } from '../src/index';
import { type Setup, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function tool(s: Setup, port: number) {
  const transport = s.network.transport('tool', { port });
  return { endpoint: new Endpoint({ transport }), client: transport.peerOf(s.clientTransport) };
}

async function writeAttributes(t: ReturnType<typeof tool>, path: string, query: string) {
  const res = await t.endpoint.request({ method: 'PUT', peer: t.client, path, query });
  expect(res.code, `${path}?${query}: ${res.text()}`).toBe(CoapCode.CHANGED);
}

function collect(obs: AsyncIterable<CoapResponse>): string[] {
  const got: string[] = [];
  void (async () => {
    for await (const n of obs) got.push(n.text());
  })();
  return got;
}

/** The client's attribute store is internal; how many callers it holds is what must stay bounded. */
const storedCallers = (s: Setup) => (s.client as unknown as { attributes: { callers: number } }).attributes.callers;

function sensorSetup() {
  const sensor = ipsoSensor({ value: 21 });
  const s = setup([{ id: 3303, instances: { 0: sensor } }], {
    directAccess: [{ address: 'tool', operations: ['read'] }],
  });
  return { s, sensor };
}

describe('direct-access peers and notification attributes', () => {
  it('a peer that writes attributes and then observes gets notifications that honour them', async () => {
    const { s, sensor } = sensorSetup();
    await started(s);
    const t = tool(s, 7000);
    await writeAttributes(t, '/3303/0/5700', 'gt=30');
    await writeAttributes(t, '/3303/0', 'pmin=10');
    // Between the two requests and the Observe the peer had nothing in flight and observed nothing.
    const obs = t.endpoint.observe({ peer: t.client, path: '/3303/0/5700' });
    const texts = collect(obs);
    await settle();
    expect(texts).toEqual(['21']);
    sensor.update(25); // below gt: no notification
    await vi.advanceTimersByTimeAsync(11_000);
    expect(texts).toEqual(['21']);
    sensor.update(31); // crosses gt (pmin long passed)
    await settle();
    expect(texts).toEqual(['21', '31']);
    sensor.update(29);
    sensor.update(35); // crosses gt again, but within pmin of the last notification
    await vi.advanceTimersByTimeAsync(5_000);
    expect(texts).toEqual(['21', '31']);
    await vi.advanceTimersByTimeAsync(5_500);
    expect(texts).toEqual(['21', '31', '35']);
    obs.cancel();
    await s.client.stop({ deregister: false });
  });

  it('10,000 ports each writing attributes leave bounded state; an observer keeps its attributes', async () => {
    const { s, sensor } = sensorSetup();
    await started(s);
    const watcher = tool(s, 7000);
    await writeAttributes(watcher, '/3303/0/5700', 'gt=30');
    const texts = collect(watcher.endpoint.observe({ peer: watcher.client, path: '/3303/0/5700' }));
    await settle();
    for (let port = 10_000; port < 20_000; port++) {
      const t = tool(s, port);
      await writeAttributes(t, '/3303/0/5700', `pmin=${port}`);
      await t.endpoint.close();
    }
    // The cap counts the watcher (observing, so never evicted) and the most recent writers; the
    // registered server wrote nothing.
    expect(storedCallers(s)).toBe(DEFAULT_MAX_DIRECT_CALLERS);
    // The watcher's gt still governs its observation.
    sensor.update(25);
    await settle();
    expect(texts).toEqual(['21']);
    sensor.update(31);
    await settle();
    expect(texts).toEqual(['21', '31']);
    await s.client.stop({ deregister: false });
    expect(storedCallers(s)).toBe(DEFAULT_MAX_DIRECT_CALLERS);
  }, 60_000);
});
