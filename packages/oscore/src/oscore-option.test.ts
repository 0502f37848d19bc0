import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h, bytesToHex as hex } from './bytes';
import { OscoreError } from './oscore-error';
import { decodeOscoreOption, encodeOscoreOption } from './oscore-option';

describe('OSCORE option value (RFC 8613 §6.1, §6.3 examples)', () => {
  const examples: [string, Parameters<typeof encodeOscoreOption>[0], string][] = [
    ['1: kid 0x25, PIV 0x05', { partialIv: h('05'), kid: h('25') }, '090525'],
    ['2: empty kid, PIV 0x00', { partialIv: h('00'), kid: h('') }, '0900'],
    [
      '3: empty kid, PIV 0x05, kid context',
      { partialIv: h('05'), kid: h(''), kidContext: h('44616c656b') },
      '19050544616c656b',
    ],
    ['4: response, nothing', {}, ''],
    ['5: response, PIV 0x07', { partialIv: h('07') }, '0107'],
    [
      'C.6: PIV 0x14, kid context, empty kid',
      { partialIv: h('14'), kid: h(''), kidContext: h('37cbf3210017a2d3') },
      '19140837cbf3210017a2d3',
    ],
  ];
  for (const [name, value, bytes] of examples) {
    it(`example ${name}`, () => {
      expect(hex(encodeOscoreOption(value))).toBe(bytes);
      expect(decodeOscoreOption(h(bytes))).toEqual(value);
    });
  }

  it('kid context without kid or PIV', () => {
    const v = { kidContext: h('abcd') };
    expect(hex(encodeOscoreOption(v))).toBe('1002abcd');
    expect(decodeOscoreOption(h('1002abcd'))).toEqual(v);
  });

  const malformed: [string, string][] = [
    ['reserved bit 5', '2914'],
    ['reserved bit 7', '8914'],
    ['n = 6', '06010203040506'],
    ['n = 7', '0701020304050607'],
    ['truncated Partial IV', '0301'],
    ['missing kid context length', '11aa'],
    ['truncated kid context', '1105aabb'],
    ['trailing bytes without kid flag', '0105ff'],
    ['zero flags with trailing bytes', '00ff'],
  ];
  for (const [name, bytes] of malformed) {
    it(`rejects ${name} as decode-failed (4.02)`, () => {
      try {
        decodeOscoreOption(h(bytes));
        expect.unreachable();
      } catch (err) {
        expect(OscoreError.isInstance(err) && err.kind).toBe('decode-failed');
        expect((err as OscoreError).responseCode).toBe(0x82);
      }
    });
  }

  it('random bytes never throw anything but OscoreError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          decodeOscoreOption(bytes);
        } catch (err) {
          if (!OscoreError.isInstance(err)) throw err;
        }
      }),
    );
  });

  it('valid values round-trip', () => {
    fc.assert(
      fc.property(
        fc.option(fc.uint8Array({ minLength: 1, maxLength: 5 }), { nil: undefined }),
        fc.option(fc.uint8Array({ maxLength: 7 }), { nil: undefined }),
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
        (partialIv, kid, kidContext) => {
          const v = {
            ...(partialIv ? { partialIv } : {}),
            ...(kid ? { kid } : {}),
            ...(kidContext ? { kidContext } : {}),
          };
          expect(decodeOscoreOption(encodeOscoreOption(v))).toEqual(v);
        },
      ),
    );
  });
});
