import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, DtlsDecodeError } from './bytes';

describe('ByteWriter', () => {
  it('writes big-endian fields and vectors, growing past its first 128 bytes', () => {
    const big = Buffer.alloc(300, 0xab);
    const out = new ByteWriter()
      .u8(0x1ff)
      .u16(0xfefd)
      .u24(0x010203)
      .u48(0x0a0b0c0d0e0f)
      .vec(2, big)
      .vec(1, Buffer.of(7))
      .finish();
    expect(out.subarray(0, 14).toString('hex')).toBe('fffefd0102030a0b0c0d0e0f012c');
    expect(out.subarray(14, 314).equals(big)).toBe(true);
    expect(out.subarray(314).toString('hex')).toBe('0107');
    expect(out.length).toBe(316);
  });

  it('round-trips through ByteReader for any sequence of vectors', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), (parts) => {
        const w = new ByteWriter(8);
        for (const p of parts) w.vec(2, p);
        const r = new ByteReader(w.finish());
        for (const p of parts) expect(r.vec(2)).toEqual(Buffer.from(p));
        r.expectEnd('test');
      }),
    );
  });

  it('refuses out-of-range values and over-long vectors, leaving what was written intact', () => {
    const w = new ByteWriter().u8(1);
    expect(() => w.u16(0x10000)).toThrow(RangeError);
    expect(() => w.u16(-1)).toThrow(RangeError);
    expect(() => w.u24(Number.NaN)).toThrow(RangeError);
    expect(() => w.u48(2 ** 48)).toThrow(RangeError);
    expect(() => w.vec(1, Buffer.alloc(256))).toThrow(/vector too long/);
    expect(w.finish()).toEqual(Buffer.of(1));
  });

  it('finish() returns a copy: later writes do not change it', () => {
    const w = new ByteWriter().u8(1);
    const first = w.finish();
    w.u8(2);
    expect(first).toEqual(Buffer.of(1));
    expect(w.finish()).toEqual(Buffer.of(1, 2));
  });
});

describe('ByteReader', () => {
  it('throws DtlsDecodeError (never reads past the end) on truncated input', () => {
    const r = new ByteReader(Buffer.of(0, 5, 1, 2));
    expect(() => r.vec(2, 'thing')).toThrow(DtlsDecodeError);
  });
});
