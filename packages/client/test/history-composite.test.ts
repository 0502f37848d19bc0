import type { CoapResponse } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat, decodeSenmlJson } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor, SimpleInstance } from '../src/index';
import { type Setup, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const writeAttributes = async (s: Setup, path: string, query: string) => {
  const res = await s.server.endpoint.request({ method: 'PUT', peer: s.clientPeer, path, query });
  expect(res.code, `${path}?${query}: ${res.text()}`).toBe(CoapCode.CHANGED);
};

function collect(obs: AsyncIterable<CoapResponse>): CoapResponse[] {
  const got: CoapResponse[] = [];
  void (async () => {
    for await (const n of obs) got.push(n);
  })();
  return got;
}

describe('hqmax: historical notifications kept while asleep (LwM2M 1.2)', () => {
  async function sleepingSensor(store = true) {
    const sensor = ipsoSensor({ value: 20 });
    const s = setup([{ id: 3303, instances: { 0: sensor } }], {
      lwm2mVersion: '1.2',
      queueMode: { awakeTimeMs: 10_000 },
      server: { storeNotifications: store },
    });
    await started(s);
    return { s, sensor };
  }

  /** Sleeps, then makes `values` at one-second steps; returns the clock (ms) of each change. */
  async function changesWhileAsleep(s: Setup, sensor: ReturnType<typeof ipsoSensor>, values: number[]) {
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.client.sleeping).toBe(true);
    const times: number[] = [];
    for (const v of values) {
      await vi.advanceTimersByTimeAsync(1_000);
      times.push(Date.now());
      sensor.update(v);
      await settle();
    }
    return times;
  }

  it('SenML: on wake, one notification carries exactly the last hqmax values, oldest first, with their times', async () => {
    const { s, sensor } = await sleepingSensor();
    const got = collect(
      s.server.endpoint.observe({ peer: s.clientPeer, path: '/3303/0/5700', accept: ContentFormat.SENML_JSON }),
    );
    await settle();
    await writeAttributes(s, '/3303/0/5700', 'hqmax=3');
    const times = await changesWhileAsleep(s, sensor, [21, 22, 23, 24, 25]);
    expect(got).toHaveLength(1); // nothing went out while asleep

    await s.client.wakeAndUpdate();
    await settle();
    expect(got).toHaveLength(2);
    const records = decodeSenmlJson(got[1]!.payload);
    expect(records.map((r) => r.v)).toEqual([23, 24, 25]);
    expect(records.map((r) => r.t)).toEqual(times.slice(2).map((ms) => ms / 1000));

    // Back to normal: the next change is one ordinary notification.
    sensor.update(26);
    await settle();
    expect(got).toHaveLength(3);
    expect(decodeSenmlJson(got[2]!.payload).map((r) => r.v)).toEqual([26]);
  });

  it('text/plain cannot carry times: the stored values go out as separate notifications, in order', async () => {
    const { s, sensor } = await sleepingSensor();
    const got = collect(s.server.endpoint.observe({ peer: s.clientPeer, path: '/3303/0/5700' }));
    await settle();
    await writeAttributes(s, '/3303/0/5700', 'hqmax=2');
    await changesWhileAsleep(s, sensor, [21, 22, 23, 24]);
    await s.client.wakeAndUpdate();
    await settle(10);
    expect(got.map((n) => n.text())).toEqual(['20', '23', '24']);
    const seq = got.map((n) => n.observe!);
    expect(seq[2]!).toBeGreaterThan(seq[1]!);
  });

  it('hqmax set at the object level applies to the observed resource; pmin still spaces the stored ones', async () => {
    const { s, sensor } = await sleepingSensor();
    const got = collect(
      s.server.endpoint.observe({ peer: s.clientPeer, path: '/3303/0/5700', accept: ContentFormat.SENML_JSON }),
    );
    await settle();
    await writeAttributes(s, '/3303', 'hqmax=10');
    await writeAttributes(s, '/3303/0/5700', 'pmin=2');
    await changesWhileAsleep(s, sensor, [21, 22, 23, 24]);
    await vi.advanceTimersByTimeAsync(2_000); // the last held change comes due at pmin
    await s.client.wakeAndUpdate();
    await settle();
    expect(got).toHaveLength(2);
    // t+1: 21 stored at once (the last notification is long past); t+2: 22 held by pmin until
    // t+3, stored then (just before 23 arrives); 23 held until t+5 and replaced by 24 at t+4;
    // 24 stored at t+5. Four changes, three stored notifications, each at least pmin apart.
    const records = decodeSenmlJson(got[1]!.payload);
    expect(records.map((r) => r.v)).toEqual([21, 22, 24]);
    const t = records.map((r) => r.t!);
    expect([t[1]! - t[0]!, t[2]! - t[1]!]).toEqual([2, 2]);
  });

  it('Observe-Composite: stored composite notifications come back as timestamped groups of every path', async () => {
    const thermostat = new SimpleInstance({ values: { 5900: 21 } });
    const light = new SimpleInstance({ values: { 5850: true, 5851: 100 } });
    const s = setup(
      [
        { id: 3308, instances: { 0: thermostat } },
        { id: 3311, instances: { 0: light } },
      ],
      { lwm2mVersion: '1.2', queueMode: { awakeTimeMs: 10_000 } },
    );
    await started(s);
    const got = collect(
      s.server.endpoint.observe({
        method: 'FETCH',
        peer: s.clientPeer,
        path: '/',
        contentFormat: ContentFormat.SENML_JSON,
        payload: new TextEncoder().encode('[{"n":"/3308/0/5900"},{"n":"/3311/0/5851"}]'),
      }) as AsyncIterable<CoapResponse>,
    );
    await settle();
    await writeAttributes(s, '/3308/0/5900', 'hqmax=2');
    await vi.advanceTimersByTimeAsync(10_000);
    for (const [t, l] of [
      [18, 90],
      [17, 80],
      [16, 70],
    ] as const) {
      await vi.advanceTimersByTimeAsync(1_000);
      thermostat.set(5900, t);
      light.set(5851, l);
      await settle();
    }
    await s.client.wakeAndUpdate();
    await settle();
    expect(got).toHaveLength(2);
    const records = decodeSenmlJson(got[1]!.payload);
    // Both paths change together each second: one stored composite per second, the last two kept.
    expect(records.map((r) => [r.n, r.v])).toEqual([
      ['/3308/0/5900', 17],
      ['/3311/0/5851', 80],
      ['/3308/0/5900', 16],
      ['/3311/0/5851', 70],
    ]);
    expect(records[0]!.t).toBe(records[1]!.t);
    expect(records[2]!.t).toBe(records[3]!.t);
  });

  it('with Notification Storing off nothing is kept, hqmax or not', async () => {
    const { s, sensor } = await sleepingSensor(false);
    const got = collect(
      s.server.endpoint.observe({ peer: s.clientPeer, path: '/3303/0/5700', accept: ContentFormat.SENML_JSON }),
    );
    await settle();
    await writeAttributes(s, '/3303/0/5700', 'hqmax=3');
    await changesWhileAsleep(s, sensor, [21, 22]);
    await s.client.wakeAndUpdate();
    await settle();
    expect(got).toHaveLength(1);
  });

  it('hqmax is refused before LwM2M 1.2 and when not a non-negative integer', async () => {
    const s = setup([{ id: 3303, instances: { 0: ipsoSensor({ value: 20 }) } }]);
    await started(s);
    const old = await s.server.endpoint.request({
      method: 'PUT',
      peer: s.clientPeer,
      path: '/3303/0/5700',
      query: 'hqmax=3',
    });
    expect(old.code).toBe(CoapCode.BAD_REQUEST);
    const { s: s12 } = await sleepingSensor();
    for (const q of ['hqmax=-1', 'hqmax=1.5', 'hqmax=x'])
      expect(
        (await s12.server.endpoint.request({ method: 'PUT', peer: s12.clientPeer, path: '/3303/0/5700', query: q }))
          .code,
      ).toBe(CoapCode.BAD_REQUEST);
  });
});

describe('Observe-Composite: every path with its own attributes', () => {
  async function composite(paths: string[]) {
    const thermostat = new SimpleInstance({ values: { 5900: 21 } });
    const light = new SimpleInstance({ values: { 5850: true, 5851: 100 } });
    const s = setup([
      { id: 3308, instances: { 0: thermostat } },
      { id: 3311, instances: { 0: light } },
    ]);
    await started(s);
    const start = async () => {
      const got = collect(
        s.server.endpoint.observe({
          method: 'FETCH',
          peer: s.clientPeer,
          path: '/',
          contentFormat: ContentFormat.SENML_JSON,
          payload: new TextEncoder().encode(JSON.stringify(paths.map((n) => ({ n })))),
        }) as AsyncIterable<CoapResponse>,
      );
      await settle();
      expect(got).toHaveLength(1);
      return got;
    };
    return { s, thermostat, light, start };
  }
  const values = (n: CoapResponse) => decodeSenmlJson(n.payload).map((r) => r.v ?? r.vb);

  it("pmin is per path: the first path's pmin does not hold back a change of another path", async () => {
    const c = await composite(['/3308/0/5900', '/3311/0/5851']);
    await writeAttributes(c.s, '/3308/0/5900', 'pmin=10');
    const got = await c.start();
    c.thermostat.set(5900, 19);
    await settle();
    expect(got).toHaveLength(1); // held by the thermostat's pmin
    await vi.advanceTimersByTimeAsync(2_000);
    c.light.set(5851, 40); // no pmin on this path: notified at once, with every path
    await settle();
    expect(got).toHaveLength(2);
    expect(values(got[1]!)).toEqual([19, 40]);
    // The notification also carried the held thermostat change: nothing more at pmin.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(got).toHaveLength(2);
  });

  it('value conditions are per path: gt on one resource, any change on the other', async () => {
    const c = await composite(['/3308/0/5900', '/3311/0/5851']);
    await writeAttributes(c.s, '/3308/0/5900', 'gt=25');
    const got = await c.start();
    c.thermostat.set(5900, 22); // below gt: no crossing
    await settle();
    expect(got).toHaveLength(1);
    c.thermostat.set(5900, 26); // crosses gt
    await settle();
    expect(got).toHaveLength(2);
    expect(values(got[1]!)).toEqual([26, 100]);
    c.light.set(5851, 50); // any change of the unconditioned path
    await settle();
    expect(got).toHaveLength(3);
  });

  it('pmax: the shortest effective pmax among the paths, with resource > instance > object precedence', async () => {
    const c = await composite(['/3308/0/5900', '/3311/0/5851']);
    await writeAttributes(c.s, '/3308', 'pmax=30');
    await writeAttributes(c.s, '/3311', 'pmax=50');
    await writeAttributes(c.s, '/3311/0', 'pmax=40');
    await writeAttributes(c.s, '/3311/0/5851', 'pmax=12'); // the resource level wins for this path
    const got = await c.start();
    await vi.advanceTimersByTimeAsync(11_000);
    expect(got).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(got).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(12_000);
    expect(got).toHaveLength(3);
  });

  it('pmin of a path counts from the last composite notification, whichever path caused it', async () => {
    const c = await composite(['/3308/0/5900', '/3311/0/5851']);
    await writeAttributes(c.s, '/3308/0/5900', 'pmin=5');
    await writeAttributes(c.s, '/3311/0/5851', 'pmin=1');
    const got = await c.start();
    await vi.advanceTimersByTimeAsync(3_000);
    c.light.set(5851, 10); // allowed: 3 s >= 1 s
    await settle();
    expect(got).toHaveLength(2);
    c.thermostat.set(5900, 18); // 0 s since the last notification: waits 5 s
    await settle();
    await vi.advanceTimersByTimeAsync(4_900);
    expect(got).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(got).toHaveLength(3);
    expect(values(got[2]!)).toEqual([18, 10]);
  });
});
