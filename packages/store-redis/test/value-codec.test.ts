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

describe('value codec fast path (values that need no tags)', () => {
  /** The tagging walk's text for `value` (a sibling that needs a tag forces the walk over all of it). */
  const tagged = (value: unknown): string => {
    const text = encodeValue({ wrap: value, z: undefined });
    const tail = ',"z":{"$u":1}}';
    expect(text.endsWith(tail)).toBe(true);
    return text.slice('{"wrap":'.length, -tail.length);
  };

  it('writes the same text as the tagging walk, and reads it back to an equal value', () => {
    const samples: unknown[] = [
      { id: 'r1', endpoint: 'dev', lifetime: 300, queueMode: true, peer: { address: '::1', port: 5683 } },
      [1, 'two', null, false, { nested: [0.5, -1] }],
      Object.assign(Object.create(null), { a: 1 }),
      { __proto__x: 1, 'key with "quotes"': 'v\n' },
      '',
      0,
      null,
    ];
    for (const value of samples) {
      expect(encodeValue(value)).toBe(tagged(value));
      const plain = value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value } : value;
      expect(decodeValue(encodeValue(value))).toStrictEqual(plain); // read back as plain objects
    }
  });

  it('fast path and walk agree on arbitrary JSON values, $ keys included (property)', () => {
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)),
        fc.array(tie('node')),
        fc.dictionary(
          fc.oneof(
            fc.string(),
            fc.string().map((k) => `$${k}`),
          ),
          tie('node'),
          { noNullPrototype: true },
        ),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        expect(encodeValue(value)).toBe(tagged(value));
        expect(decodeValue(encodeValue(value))).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('falls back to tags for anything JSON.stringify would change or drop', () => {
    class Point {
      x = 1;
    }
    const cases: [unknown, unknown][] = [
      [{ when: new Date(5) }, { when: new Date(5) }],
      [{ n: -0 }, { n: -0 }],
      [{ n: Number.NaN }, { n: Number.NaN }],
      [{ gone: undefined }, { gone: undefined }],
      [[undefined], [undefined]],
      [{ $b: 'x' }, { $b: 'x' }],
      [{ deep: [{ $u: 1 }] }, { deep: [{ $u: 1 }] }],
      [{ bytes: Buffer.from([1, 2]) }, { bytes: new Uint8Array([1, 2]) }],
      [{ p: new Point() }, { p: { x: 1 } }], // a class instance is stored as its own fields
      [{ toJSON: () => 'nope', a: 1 }, undefined], // a toJSON method is not data: refused below
    ];
    for (const [value, expected] of cases) {
      if (expected === undefined) {
        expect(() => encodeValue(value)).toThrow(StoreDataError);
        continue;
      }
      expect(decodeValue(encodeValue(value))).toStrictEqual(expected);
    }
    expect(() => encodeValue({ f: () => 1 })).toThrow(StoreDataError);
    expect(() => encodeValue({ s: Symbol('x') })).toThrow(StoreDataError);
    expect(() => encodeValue({ b: new String('boxed') })).not.toThrow(); // stored via the walk, as before
  });

  it('decoding: text with a $ key anywhere takes the checked path (unknown tags refused)', () => {
    expect(() => decodeValue('{"a":[{"$zz":1}]}')).toThrow(StoreDataError);
    expect(decodeValue('{"a":[{"$$x":1}]}')).toStrictEqual({ a: [{ $x: 1 }] });
    expect(decodeValue('[{"b":{"$n":"12"}}]')).toStrictEqual([{ b: 12n }]);
  });
});
