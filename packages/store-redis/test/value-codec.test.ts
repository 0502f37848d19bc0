import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreDataError } from '../src/store-data-error';
import { decodeValue, encodeValue } from '../src/value-codec';

const roundTrip = <T>(value: T): T => decodeValue<T>(encodeValue(value));

describe('value codec', () => {
  it('round-trips bigint, bytes, dates, undefined, non-finite numbers and -0 exactly', () => {
    const value = {
      big: 18446744073709551615n,
      negative: -9007199254740993n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      empty: new Uint8Array(0),
      view: new Uint8Array(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2),
      when: new Date(1_700_000_000_123),
      missing: undefined,
      list: [undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1.5],
      nested: { deep: [{ bytes: new Uint8Array([1]) }] },
    };
    const back = roundTrip(value);
    expect(back).toStrictEqual({ ...value, view: new Uint8Array([8, 7]) });
    expect(Object.is(back.list[4], -0)).toBe(true);
    expect(Object.keys(back)).toContain('missing');
  });

  it('keeps user keys that look like tags as plain data', () => {
    const value = { $b: 'AAAA', $n: '1', $$x: { $u: 1 }, $: 'dollar' };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('keeps a "__proto__" key as data, without touching the prototype', () => {
    const back = decodeValue<Record<string, unknown>>('{"__proto__":{"polluted":true},"a":1}');
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toStrictEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decodeValue(encodeValue(back))).toStrictEqual(back);
  });

  it('refuses values it cannot store, and data it did not write', () => {
    expect(() => encodeValue({ m: new Map() })).toThrow(StoreDataError);
    expect(() => encodeValue(() => 1)).toThrow(StoreDataError);
    expect(() => decodeValue('{"$zz":1,"a":2}')).toThrow(StoreDataError);
    expect(() => decodeValue('not json')).toThrow(StoreDataError);
  });

  it('round-trips arbitrary JSON-like values with bigints and bytes (property)', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.bigInt(),
      fc.uint8Array(),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('node')),
        fc.dictionary(fc.string(), tie('node'), { noNullPrototype: true }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        expect(roundTrip(value)).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});
