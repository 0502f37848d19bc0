import { CoapCode, CodecError, createMessage, encodeReliable } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader, FrameTooLargeError } from './frame-reader';

const frame = (payloadLength: number, tokenByte = 1) =>
  encodeReliable(
    createMessage({
      code: CoapCode.GET,
      token: new Uint8Array([tokenByte]),
      payload: new Uint8Array(payloadLength).fill(7),
    }),
    'tcp',
  );

describe('FrameReader', () => {
  it('returns a whole frame delivered in one chunk as is', () => {
    const f = frame(3);
    const reader = new FrameReader(1 << 16);
    const out = reader.push(f);
    expect(out).toHaveLength(1);
    expect([...out[0]!]).toEqual([...f]);
    expect(reader.pendingBytes).toBe(0);
  });

  it('reassembles a frame split byte by byte, including the extended length header', () => {
    const f = frame(300); // needs the 2-byte extended length
    const reader = new FrameReader(1 << 16);
    const out: Uint8Array[] = [];
    for (const byte of f) out.push(...reader.push(new Uint8Array([byte])));
    expect(out).toHaveLength(1);
    expect([...out[0]!]).toEqual([...f]);
  });

  it('splits several frames arriving in one chunk and keeps a partial tail', () => {
    const a = frame(0, 1);
    const b = frame(20, 2);
    const c = frame(70000, 3);
    const joined = new Uint8Array(a.length + b.length + 10);
    joined.set(a, 0);
    joined.set(b, a.length);
    joined.set(c.subarray(0, 10), a.length + b.length);
    const reader = new FrameReader(1 << 20);
    const out = reader.push(joined);
    expect(out.map((f) => f[f.length - 1])).toEqual([a[a.length - 1], 7]);
    expect(out).toHaveLength(2);
    expect(reader.pendingBytes).toBe(10);
    const rest = reader.push(c.subarray(10));
    expect(rest).toHaveLength(1);
    expect(rest[0]!.length).toBe(c.length);
  });

  it('rejects a frame announced larger than the limit before its body arrives', () => {
    const reader = new FrameReader(1000);
    const f = frame(5000);
    expect(() => reader.push(f.subarray(0, 4))).toThrow(FrameTooLargeError);
  });

  it('rejects a reserved token length with a CodecError', () => {
    const reader = new FrameReader(1000);
    expect(() => reader.push(new Uint8Array([0x09, 0x01]))).toThrow(CodecError);
  });

  it('yields the same frames however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
        (sizes, cuts) => {
          const frames = sizes.map((s, i) => frame(s, i));
          const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
          let o = 0;
          for (const f of frames) {
            stream.set(f, o);
            o += f.length;
          }
          const reader = new FrameReader(1 << 16);
          const out: number[] = [];
          let pos = 0;
          let i = 0;
          while (pos < stream.length) {
            const step = cuts[i++ % cuts.length]!;
            for (const f of reader.push(stream.slice(pos, pos + step))) out.push(f.length);
            pos += step;
          }
          expect(out).toEqual(frames.map((f) => f.length));
          expect(reader.pendingBytes).toBe(0);
        },
      ),
    );
  });
});

describe('FrameReader on a large frame in many chunks', () => {
  it('holds the chunks until the frame is complete and returns it whole', () => {
    const f = frame(60_000);
    const reader = new FrameReader(1 << 17);
    const out: Uint8Array[] = [];
    for (let i = 0; i < f.length; i += 1000) {
      const got = reader.push(f.subarray(i, i + 1000));
      if (i + 1000 < f.length) expect(got).toEqual([]);
      out.push(...got);
    }
    expect(out).toHaveLength(1);
    expect([...out[0]!.subarray(-5)]).toEqual([...f.subarray(-5)]);
    expect(out[0]!.length).toBe(f.length);
    expect(reader.pendingBytes).toBe(0);
  });
});
