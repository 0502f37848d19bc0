import { LwM2mPath } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { AttributeStore } from './attribute-store';
import { applyChange, checkConsistency, parseAttributeQuery } from './notification-attributes';

describe('parseAttributeQuery', () => {
  it('reads values and names to clear', () => {
    expect(parseAttributeQuery(['pmin=10', 'gt=20.5', 'lt=-3', 'st'], '1.1')).toEqual({
      set: { pmin: 10, gt: 20.5, lt: -3 },
      clear: ['st'],
    });
    expect(parseAttributeQuery(['edge=1', 'con=0', 'hqmax=5'], '1.2').set).toEqual({ edge: 1, con: 0, hqmax: 5 });
  });

  it.each([
    [['pmin=1.5'], '1.1'],
    [['pmin=-1'], '1.1'],
    [['pmax=x'], '1.1'],
    [['gt=1e3'], '1.1'],
    [['st=-2'], '1.1'],
    [['edge=1'], '1.1'],
    [['con=2'], '1.2'],
    [['pmin=1', 'pmin=2'], '1.1'],
    [['ver=1.1'], '1.1'],
  ])('refuses %j (%s)', (query, version) => {
    expect(() => parseAttributeQuery(query, version)).toThrow();
  });
});

describe('consistency', () => {
  it('pmax >= pmin, epmax >= epmin, lt + 2*st < gt', () => {
    expect(() => checkConsistency({ pmin: 10, pmax: 10 })).not.toThrow();
    expect(() => checkConsistency({ pmin: 10, pmax: 9 })).toThrow(/pmax/);
    expect(() => checkConsistency({ epmin: 5, epmax: 1 })).toThrow(/epmax/);
    expect(() => checkConsistency({ lt: 10, gt: 20, st: 4 })).not.toThrow();
    expect(() => checkConsistency({ lt: 10, gt: 20, st: 5 })).toThrow(/st/);
    expect(() => checkConsistency({ lt: 20, gt: 20 })).toThrow(/lt/);
  });
});

describe('AttributeStore', () => {
  it('resource instance > resource > instance > object > server defaults, per server', () => {
    const store = new AttributeStore();
    const p = LwM2mPath.parse;
    store.set('a', p('/3303'), { pmin: 1, pmax: 100 });
    store.set('a', p('/3303/0'), { pmax: 50 });
    store.set('a', p('/3303/0/5700'), { gt: 30 });
    store.set('b', p('/3303/0/5700'), { pmin: 9 });
    expect(store.effective('a', p('/3303/0/5700'), { pmin: 0, pmax: 600 })).toEqual({ pmin: 1, pmax: 50, gt: 30 });
    expect(store.effective('b', p('/3303/0/5700'), { pmax: 600 })).toEqual({ pmin: 9, pmax: 600 });
    expect(store.effective('a', p('/3303/1/5700'))).toEqual({ pmin: 1, pmax: 100 });
    store.set('a', p('/3303/0'), applyChange(store.at('a', p('/3303/0')), { set: {}, clear: ['pmax'] }));
    expect(store.effective('a', p('/3303/0/5700'))).toEqual({ pmin: 1, pmax: 100, gt: 30 });
    store.removeBelow(p('/3303/0'));
    expect(store.effective('a', p('/3303/0/5700'))).toEqual({ pmin: 1, pmax: 100 });
    expect(store.effective('b', p('/3303/0/5700'))).toEqual({});
  });
});

describe('parseAttributeQuery (properties)', () => {
  it('any query: attributes or a 4.00, never anything else', async () => {
    const fc = (await import('fast-check')).default;
    const { CoapError } = await import('@lwm2m-ts/coap');
    const item = fc.oneof(
      fc.string(),
      fc
        .tuple(fc.constantFrom('pmin', 'pmax', 'gt', 'lt', 'st', 'edge', 'con', 'hqmax', 'epmin', 'epmax'), fc.string())
        .map(([n, v]) => `${n}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.constantFrom('1.0', '1.1', '1.2'), (query, version) => {
        try {
          const change = parseAttributeQuery(query, version);
          for (const v of Object.values(change.set)) expect(Number.isFinite(v)).toBe(true);
        } catch (e) {
          expect(CoapError.isInstance(e) && e.code === 0x80).toBe(true);
        }
      }),
    );
  });
});
