import { makePeer } from '@lwm2m-ts/coap';
import { describe, expect, it } from 'vitest';
import { effectivePmax, shouldNotify } from './notify-rules';

const run = (attrs: Parameters<typeof shouldNotify>[0], start: number | boolean, values: (number | boolean)[]) => {
  let lastSent: number | boolean = start;
  let lastEvaluated: number | boolean = start;
  const sent: (number | boolean)[] = [];
  for (const v of values) {
    if (shouldNotify(attrs, { lastSent, lastEvaluated }, v)) {
      sent.push(v);
      lastSent = v;
    }
    lastEvaluated = v;
  }
  return sent;
};

describe('shouldNotify', () => {
  it('without value attributes: every actual change', () => {
    expect(run({}, 1, [1, 2, 2, 3])).toEqual([2, 3]);
  });
  it('gt: crossing upwards and back down', () => {
    expect(run({ gt: 25 }, 20, [24, 25, 26, 30, 25, 24])).toEqual([26, 25]);
  });
  it('lt: crossing downwards and back up', () => {
    expect(run({ lt: 10 }, 20, [11, 10, 9, 5, 10, 12])).toEqual([9, 10]);
  });
  it('st: steps from the last notified value, not the last seen one', () => {
    expect(run({ st: 2 }, 0, [1, 1.5, 2, 3, 3.9, 0.5, 0])).toEqual([2, 0]);
  });
  it('gt or st: any condition', () => {
    expect(run({ gt: 100, st: 10 }, 0, [5, 10, 99, 101])).toEqual([10, 99, 101]);
  });
  it('edge 1 rising, 0 falling', () => {
    expect(run({ edge: 1 }, false, [true, false, false, true])).toEqual([true, true]);
    expect(run({ edge: 0 }, false, [true, false, true, false])).toEqual([false, false]);
  });
  it('pmax is ignored when 0 or below pmin', () => {
    expect(effectivePmax({ pmax: 0 })).toBeUndefined();
    expect(effectivePmax({ pmin: 10, pmax: 5 })).toBeUndefined();
    expect(effectivePmax({ pmin: 5, pmax: 10 })).toBe(10);
  });
});

describe('ObservationManager with a slow sensor read', () => {
  it('a change during an evaluation is evaluated afterwards', async () => {
    const { ObservationManager } = await import('./observation-manager');
    const { LwM2mPath } = await import('@lwm2m-ts/objects');
    let value = 0;
    let release: (() => void) | undefined;
    const notified: number[] = [];
    const timers: (() => void)[] = [];
    const manager = new ObservationManager({
      clock: { now: () => 0, setTimeout: (cb) => timers.push(cb), clearTimeout: () => {} },
      attributes: () => ({ st: 5 }),
      read: async () => {
        const v = value;
        await new Promise<void>((r) => {
          release = r;
        });
        return { kind: 'resource', id: 5700, multiple: false, type: 'float', value: { type: 'float', value: v } };
      },
      notify: () => {
        notified.push(value);
        return 1;
      },
      offline: () => false,
      storesNotifications: () => true,
    });
    const target = {
      server: 's',
      key: 'k',
      coapPath: '/3303/0/5700',
      paths: [LwM2mPath.parse('/3303/0/5700')],
      peer: makePeer('127.0.0.1', 5683),
      token: new Uint8Array([1]),
    };
    manager.sent(target, new Map([['/3303/0/5700', 0]]));
    value = 1;
    manager.valuesChanged([LwM2mPath.parse('/3303/0/5700')]);
    value = 10; // arrives while the first read is in flight
    manager.valuesChanged([LwM2mPath.parse('/3303/0/5700')]);
    release?.();
    await new Promise((r) => setTimeout(r, 0));
    release?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(notified).toEqual([10]);
  });
});
