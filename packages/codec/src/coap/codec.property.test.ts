import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import type { CoapMessage } from './message';
import { decodeOptionsAndPayload, encodeOptionsAndPayload } from './options-codec';
import { decodeReliable, encodeReliable, reliableFrameLength } from './reliable';
import { decodeUdp, encodeUdp } from './udp';

const onlyCodecErrors = (fn: () => unknown): void => {
  try {
    fn();
  } catch (e) {
    if (!CodecError.isInstance(e)) throw e;
  }
};

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const option = fc.record({
  number: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff })),
  value: fc.oneof({ weight: 5, arbitrary: bytes(20) }, { weight: 1, arbitrary: bytes(400) }),
});
const message = fc
  .record({
    type: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
    code: fc.integer({ min: 1, max: 255 }),
    messageId: fc.integer({ min: 0, max: 0xffff }),
    token: bytes(8),
    options: fc.array(option, { maxLength: 8 }),
    payload: fc.oneof(bytes(50), bytes(2000)),
  })
  .map((m): CoapMessage => m);
const emptyMessage = fc.record({
  type: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
  code: fc.constant(0),
  messageId: fc.integer({ min: 0, max: 0xffff }),
  token: fc.constant(new Uint8Array(0)),
  options: fc.constant([]),
  payload: fc.constant(new Uint8Array(0)),
});

/** What decode(encode(m)) must give: options stably sorted by number, views compared by content. */
const normalize = (m: CoapMessage, reliable = false) => ({
  type: reliable ? 0 : m.type,
  code: m.code,
  messageId: reliable ? 0 : m.messageId,
  token: Array.from(m.token),
  options: [...m.options].sort((a, b) => a.number - b.number).map((o) => [o.number, Array.from(o.value)]),
  payload: Array.from(m.payload),
});

describe('codec properties', () => {
  it('random bytes: decoders throw nothing but CodecError', () => {
    fc.assert(
      fc.property(bytes(64), (b) => {
        onlyCodecErrors(() => decodeUdp(b));
        onlyCodecErrors(() => decodeReliable(b, 'tcp'));
        onlyCodecErrors(() => decodeReliable(b, 'ws'));
        onlyCodecErrors(() => reliableFrameLength(b));
        onlyCodecErrors(() => decodeOptionsAndPayload(b, 0));
      }),
      { numRuns: 5000 },
    );
  });

  it('valid-looking headers with random tails: decoders throw nothing but CodecError', () => {
    const udp = fc
      .tuple(fc.integer({ min: 0x40, max: 0x7f }), bytes(3), bytes(60))
      .map(([h, a, b]) => Uint8Array.from([h, ...a, ...b]));
    fc.assert(
      fc.property(udp, (b) => {
        onlyCodecErrors(() => decodeUdp(b));
        onlyCodecErrors(() => decodeReliable(b.subarray(1), 'ws'));
      }),
      { numRuns: 5000 },
    );
  });

  it('whatever decodes re-encodes to the same bytes (the wire form is canonical)', () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 0x40, max: 0x7f }), bytes(40)), ([h, tail]) => {
        const b = Uint8Array.from([h, ...tail]);
        let m: CoapMessage;
        try {
          m = decodeUdp(b);
        } catch {
          return;
        }
        expect(Array.from(encodeUdp(m))).toEqual(Array.from(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodeUdp(encodeUdp(m)) = m', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: message }, { weight: 1, arbitrary: emptyMessage }), (m) => {
        expect(normalize(decodeUdp(encodeUdp(m)))).toEqual(normalize(m));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodeReliable(encodeReliable(m)) = m for tcp and ws, and frame length is exact', () => {
    fc.assert(
      fc.property(message, fc.constantFrom('tcp' as const, 'ws' as const), (m, framing) => {
        const b = encodeReliable(m, framing);
        if (framing === 'tcp') {
          expect(reliableFrameLength(b)).toBe(b.length);
          expect(reliableFrameLength(b.subarray(0, 1 + [0, 1, 2, 4][Math.max(0, (b[0]! >> 4) - 12)]!))).toBe(b.length);
        }
        expect(normalize(decodeReliable(b, framing), true)).toEqual(normalize(m, true));
      }),
      { numRuns: 1000 },
    );
  });

  it('options+payload section round-trips on its own', () => {
    fc.assert(
      fc.property(fc.array(option, { maxLength: 10 }), bytes(100), (options, payload) => {
        const back = decodeOptionsAndPayload(encodeOptionsAndPayload(options, payload), 0);
        const m = { type: 0, code: 1, messageId: 0, token: new Uint8Array(0), options, payload } as CoapMessage;
        expect(normalize({ ...m, ...back })).toEqual(normalize(m));
      }),
      { numRuns: 1000 },
    );
  });
});
