import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { hex, toHex } from '../testing/device-seed';
import { CborMap, CborTagged, decodeCbor } from './cbor-reader';
import { CborWriter } from './cbor-writer';

function write(f: (w: CborWriter) => void): string {
  const w = new CborWriter(1);
  f(w);
  return toHex(w.finish());
}

describe('CBOR reader and writer', () => {
  it('writes RFC 8949 appendix A examples', () => {
    expect(write((w) => w.integer(0))).toBe('00');
    expect(write((w) => w.integer(23))).toBe('17');
    expect(write((w) => w.integer(24))).toBe('18 18');
    expect(write((w) => w.integer(1000))).toBe('19 03 e8');
    expect(write((w) => w.integer(1000000))).toBe('1a 00 0f 42 40');
    expect(write((w) => w.integer(1000000000000))).toBe('1b 00 00 00 e8 d4 a5 10 00');
    expect(write((w) => w.integer(18446744073709551615n))).toBe('1b ff ff ff ff ff ff ff ff');
    expect(write((w) => w.integer(-18446744073709551616n))).toBe('3b ff ff ff ff ff ff ff ff');
    expect(write((w) => w.integer(-1000))).toBe('39 03 e7');
    expect(write((w) => w.float(0))).toBe('f9 00 00');
    expect(write((w) => w.float(-0))).toBe('f9 80 00');
    expect(write((w) => w.float(1.1))).toBe('fb 3f f1 99 99 99 99 99 9a');
    expect(write((w) => w.float(65504))).toBe('f9 7b ff');
    expect(write((w) => w.float(100000))).toBe('fa 47 c3 50 00');
    expect(write((w) => w.float(2 ** -24))).toBe('f9 00 01');
    expect(write((w) => w.float(0.00006103515625))).toBe('f9 04 00');
    expect(write((w) => w.float(-4))).toBe('f9 c4 00');
    expect(write((w) => w.float(Number.POSITIVE_INFINITY))).toBe('f9 7c 00');
    expect(write((w) => w.float(Number.NaN))).toBe('f9 7e 00');
    expect(write((w) => w.float(1e300))).toBe('fb 7e 37 e4 3c 88 00 75 9c');
    expect(write((w) => w.text('\u00fc'))).toBe('62 c3 bc');
    expect(write((w) => w.bytes(new Uint8Array([1, 2, 3, 4])))).toBe('44 01 02 03 04');
  });

  it('reads definite and indefinite items', () => {
    expect(decodeCbor(hex('9f 01 82 02 03 9f 04 05 ff ff'))).toEqual([1, [2, 3], [4, 5]]);
    expect(decodeCbor(hex('7f 65 73 74 72 65 61 64 6d 69 6e 67 ff'))).toBe('streaming');
    expect(decodeCbor(hex('5f 42 01 02 43 03 04 05 ff'))).toEqual(new Uint8Array([1, 2, 3, 4, 5]));
    expect(decodeCbor(hex('bf 61 61 01 61 62 9f 02 03 ff ff'))).toEqual(
      new CborMap([
        ['a', 1],
        ['b', [2, 3]],
      ]),
    );
    expect(decodeCbor(hex('c1 1a 51 4b 67 b0'))).toEqual(new CborTagged(1, 1363896240));
    expect(decodeCbor(hex('f9 3c 00'))).toBe(1);
    expect(decodeCbor(hex('f9 7b ff'))).toBe(65504);
    expect(decodeCbor(hex('3b 00 1f ff ff ff ff ff fe'))).toBe(Number.MIN_SAFE_INTEGER);
    expect(decodeCbor(hex('3b 00 1f ff ff ff ff ff ff'))).toBe(-(2n ** 53n));
    expect(decodeCbor(hex('3b 00 20 00 00 00 00 00 00'))).toBe(-(2n ** 53n) - 1n);
  });

  it('rejects malformed input with offsets', () => {
    expect(() => decodeCbor(hex(''))).toThrow('empty payload');
    expect(() => decodeCbor(hex('1c'))).toThrow(/reserved additional information 28.*offset 0/);
    expect(() => decodeCbor(hex('19 01'))).toThrow(/truncated.*offset 0/);
    expect(() => decodeCbor(hex('82 01'))).toThrow(/length 2 exceeds the 1 bytes left.*offset 0/);
    expect(() => decodeCbor(hex('ff'))).toThrow('unexpected break');
    expect(() => decodeCbor(hex('62 c3'))).toThrow(/length 2 exceeds/);
    expect(() => decodeCbor(hex('61 ff'))).toThrow('UTF-8');
    expect(() => decodeCbor(hex('5f 61 61 ff'))).toThrow('another type');
    expect(() => decodeCbor(new Uint8Array(100).fill(0x81))).toThrow('nesting deeper');
    expect(() => decodeCbor(hex('9b 00 00 00 10 00 00 00 00'))).toThrow('exceeds');
  });

  it('round-trips floats exactly in the smallest width', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const w = new CborWriter();
        w.float(v);
        const bytes = w.finish();
        const back = decodeCbor(bytes) as number;
        expect(Object.is(back, v) || (Number.isNaN(v) && Number.isNaN(back))).toBe(true);
        if (Math.fround(v) !== v && !Number.isNaN(v)) expect(bytes.length).toBe(9);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws anything but CodecError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        try {
          decodeCbor(bytes);
        } catch (e) {
          if (!CodecError.isInstance(e)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
