import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor } from '../src/index';
import { type FakeServer, settle, startTwoServerClient } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function twoServers() {
  const sensor = ipsoSensor({ value: 20, units: 'Cel' });
  const parts = await startTwoServerClient({ objects: [{ id: 3303, instances: { 0: sensor } }] });
  return { ...parts, sensor };
}

/** Observes from `server`, recording [ms since start, text] per notification. */
function observeFrom(server: FakeServer, peer: ReturnType<FakeServer['transport']['peerOf']>, t0: number) {
  const got: [number, string][] = [];
  const obs = server.endpoint.observe({ peer, path: '/3303/0/5700' });
  void (async () => {
    for await (const n of obs) got.push([Date.now() - t0, n.text()]);
  })();
  return { got, obs };
}

describe('multi-server observe timing', () => {
  it('two servers with different pmin/pmax on the same path get their own notifications', async () => {
    const { a, b, peerA, peerB, client, sensor } = await twoServers();
    // Server A: pmin 10 s, pmax 60 s. Server B: pmin 1 s, pmax 15 s.
    expect(
      (await a.endpoint.request({ method: 'PUT', peer: peerA, path: '/3303/0/5700', query: ['pmin=10', 'pmax=60'] }))
        .code,
    ).toBe(0x44);
    expect(
      (await b.endpoint.request({ method: 'PUT', peer: peerB, path: '/3303/0/5700', query: ['pmin=1', 'pmax=15'] }))
        .code,
    ).toBe(0x44);
    const t0 = Date.now();
    const fromA = observeFrom(a, peerA, t0);
    const fromB = observeFrom(b, peerB, t0);
    await settle();
    expect(fromA.got).toEqual([[0, '20']]);
    expect(fromB.got).toEqual([[0, '20']]);

    await vi.advanceTimersByTimeAsync(2000);
    sensor.update(21); // t = 2 s: B may notify now (pmin 1), A only at t = 10 s (pmin 10)
    await settle();
    expect(fromB.got).toEqual([
      [0, '20'],
      [2000, '21'],
    ]);
    expect(fromA.got).toEqual([[0, '20']]);

    await vi.advanceTimersByTimeAsync(8000); // t = 10 s
    await settle();
    expect(fromA.got).toEqual([
      [0, '20'],
      [10000, '21'],
    ]);
    expect(fromB.got).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(7000); // t = 17 s: B's pmax (15 s after its last, at 2 s)
    await settle();
    expect(fromB.got.map(([t]) => t)).toEqual([0, 2000, 17000]);
    expect(fromA.got).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(53000); // t = 70 s: A's pmax (60 s after its last, at 10 s)
    await settle();
    expect(fromA.got.map(([t]) => t)).toEqual([0, 10000, 70000]);
    expect(fromB.got.map(([t]) => t)).toEqual([0, 2000, 17000, 32000, 47000, 62000]);
    expect(client.observationsList()).toHaveLength(2);
    fromA.obs.cancel();
    fromB.obs.cancel();
    await client.stop({ deregister: false });
  });
});
