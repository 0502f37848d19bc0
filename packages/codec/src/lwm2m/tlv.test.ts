import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { DEVICE_TLV_HEX, hex, toHex } from '../testing/device-seed';
import { decodeTlv, encodeTlv, type TlvEntry } from './tlv';
import {
  decodeTlvBoolean,
  decodeTlvFloat,
  decodeTlvInteger,
  decodeTlvObjlnk,
  decodeTlvString,
  decodeTlvTime,
  decodeTlvUnsigned,
  encodeTlvBoolean,
  encodeTlvFloat,
  encodeTlvInteger,
  encodeTlvObjlnk,
  encodeTlvString,
  encodeTlvTime,
  encodeTlvUnsigned,
} from './tlv-values';

describe('LwM2M TLV', () => {
  it('decodes and re-encodes the Device instance byte for byte', () => {
    const bytes = hex(DEVICE_TLV_HEX);
    const entries = decodeTlv(bytes);
    expect(entries.map((e) => `${e.type}:${e.id}`)).toEqual([
      'resource:0',
      'resource:1',
      'resource:2',
      'resource:3',
      'multiple-resource:6',
      'multiple-resource:7',
      'multiple-resource:8',
      'resource:9',
      'resource:10',
      'multiple-resource:11',
      'resource:13',
      'resource:14',
      'resource:16',
    ]);
    const r7 = entries[5]!;
    expect(
      r7.type === 'multiple-resource' && r7.children.map((c) => 'value' in c && decodeTlvInteger(c.value)),
    ).toEqual([3800, 5000]);
    const r13 = entries[10]!;
    expect('value' in r13 && decodeTlvTime(r13.value)).toBe(1367491215);
    expect(toHex(encodeTlv(entries))).toBe(toHex(bytes));
  });

  it('uses 16-bit ids and 1/2/3-byte length fields when needed', () => {
    const cases: Array<[TlvEntry, string]> = [
      [{ type: 'resource', id: 5, value: new Uint8Array(7) }, 'c7 05'],
      [{ type: 'resource', id: 5, value: new Uint8Array(8) }, 'c8 05 08'],
      [{ type: 'resource', id: 300, value: new Uint8Array(1) }, 'e1 01 2c'],
      [{ type: 'resource', id: 1, value: new Uint8Array(256) }, 'd0 01 01 00'],
      [{ type: 'resource', id: 1, value: new Uint8Array(65536) }, 'd8 01 01 00 00'],
      [{ type: 'resource-instance', id: 65535, value: new Uint8Array(0) }, '60 ff ff'],
      [{ type: 'object-instance', id: 0, children: [] }, '00 00'],
    ];
    for (const [entry, head] of cases) {
      const bytes = encodeTlv([entry]);
      expect(toHex(bytes.subarray(0, head.split(' ').length))).toBe(head);
      expect(decodeTlv(bytes)).toEqual([entry]);
    }
  });

  it('nests object instance > multiple resource > resource instance', () => {
    const entry: TlvEntry = {
      type: 'object-instance',
      id: 1,
      children: [
        { type: 'resource', id: 0, value: encodeTlvInteger(1) },
        {
          type: 'multiple-resource',
          id: 6,
          children: [{ type: 'resource-instance', id: 0, value: encodeTlvInteger(1) }],
        },
      ],
    };
    const bytes = encodeTlv([entry]);
    expect(toHex(bytes)).toBe('08 01 08 c1 00 01 83 06 41 00 01');
    expect(decodeTlv(bytes)).toEqual([entry]);
  });

  it('rejects malformed payloads with the offset', () => {
    expect(() => decodeTlv(hex('c8 00'))).toThrow(/header is truncated.*offset 0/);
    expect(() => decodeTlv(hex('c1 00 01 c4 01 00'))).toThrow(
      /resource 1 declares 4 bytes but only 1 remain.*offset 3/,
    );
    expect(() => decodeTlv(hex('83 06 c1 00 01'))).toThrow(/multiple-resource cannot hold a resource.*offset 2/);
    expect(() => decodeTlv(hex('03 00 41 00 01'))).toThrow(/object-instance cannot hold a resource-instance/);
    expect(() => decodeTlv(hex('83 06 42 00 05'))).toThrow(/resource-instance 0 declares 2 bytes.*offset 2/);
    expect(() => encodeTlv([{ type: 'resource', id: 70000, value: new Uint8Array() }])).toThrow(CodecError);
  });

  it('encodes values in the smallest width', () => {
    expect(toHex(encodeTlvInteger(127))).toBe('7f');
    expect(toHex(encodeTlvInteger(-128))).toBe('80');
    expect(toHex(encodeTlvInteger(128))).toBe('00 80');
    expect(toHex(encodeTlvInteger(-32769))).toBe('ff ff 7f ff');
    expect(toHex(encodeTlvInteger(2 ** 31))).toBe('00 00 00 00 80 00 00 00');
    expect(decodeTlvInteger(encodeTlvInteger(-(2n ** 63n)))).toBe(-(2n ** 63n));
    expect(toHex(encodeTlvUnsigned(255))).toBe('ff');
    expect(toHex(encodeTlvUnsigned(65536))).toBe('00 01 00 00');
    expect(decodeTlvUnsigned(encodeTlvUnsigned(2n ** 64n - 1n))).toBe(2n ** 64n - 1n);
    expect(toHex(encodeTlvFloat(1.5))).toBe('3f c0 00 00');
    expect(toHex(encodeTlvFloat(0.1))).toBe('3f b9 99 99 99 99 99 9a');
    expect(decodeTlvFloat(hex('3f c0 00 00'))).toBe(1.5);
    expect(toHex(encodeTlvBoolean(true))).toBe('01');
    expect(decodeTlvBoolean(hex('00'))).toBe(false);
    expect(toHex(encodeTlvObjlnk(3, 65535))).toBe('00 03 ff ff');
    expect(decodeTlvObjlnk(hex('00 03 ff ff'))).toEqual({ objectId: 3, instanceId: 65535 });
    expect(toHex(encodeTlvTime(1367491215))).toBe('51 82 42 8f');
    expect(decodeTlvString(encodeTlvString('é'))).toBe('é');
    expect(() => decodeTlvInteger(hex('00 00 00'))).toThrow('1, 2, 4 or 8 bytes');
    expect(() => decodeTlvFloat(hex('00 00'))).toThrow('4 or 8 bytes');
    expect(() => decodeTlvBoolean(hex('02'))).toThrow('0 or 1');
    expect(() => decodeTlvObjlnk(hex('00'))).toThrow('4 bytes');
    expect(() => decodeTlvString(hex('ff'))).toThrow('UTF-8');
  });

  it('round-trips integers and floats of every width', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(BigInt(decodeTlvInteger(encodeTlvInteger(v)))).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        expect(BigInt(decodeTlvUnsigned(encodeTlvUnsigned(v)))).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.double(), (v) => {
        expect(Object.is(decodeTlvFloat(encodeTlvFloat(v)), v) || Number.isNaN(v)).toBe(true);
      }),
    );
  });

  it('never throws anything but CodecError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const entries = decodeTlv(bytes);
          expect(decodeTlv(encodeTlv(entries))).toEqual(entries);
        } catch (e) {
          if (!CodecError.isInstance(e)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
