import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { DEVICE_SENML_CBOR_HEX, DEVICE_SENML_JSON, hex, toHex } from '../testing/device-seed';
import { decodeSenmlCbor, encodeSenmlCbor } from './senml-cbor';
import { decodeSenmlJson, encodeSenmlJson, formatSenmlJson } from './senml-json';
import { resolveSenml, type SenmlRecord } from './senml-record';

const utf8 = new TextEncoder();

describe('SenML JSON and CBOR (seed Device object)', () => {
  it('decodes the seed JSON and CBOR to the same records and re-encodes them byte for byte', () => {
    const fromJson = decodeSenmlJson(utf8.encode(DEVICE_SENML_JSON));
    const fromCbor = decodeSenmlCbor(hex(DEVICE_SENML_CBOR_HEX));
    expect(fromCbor).toEqual(fromJson);
    expect(fromJson).toHaveLength(16);
    expect(fromJson[0]).toEqual({ bn: '/3/0/', n: '0', vs: 'Open Mobile Alliance' });
    expect(fromJson[13]).toEqual({ n: '13', v: 1367491215 });
    expect(formatSenmlJson(fromJson)).toBe(DEVICE_SENML_JSON);
    expect(toHex(encodeSenmlCbor(fromCbor))).toBe(toHex(hex(DEVICE_SENML_CBOR_HEX)));
    expect(new TextDecoder().decode(encodeSenmlJson(fromCbor))).toBe(DEVICE_SENML_JSON);
  });

  it('resolves base fields (RFC 8428 section 4.6)', () => {
    const records: SenmlRecord[] = [
      {
        bn: 'urn:dev:ow:10e2073a01080063:',
        bt: 1.276020076001e9,
        bu: 'A',
        bver: 5,
        bv: 10,
        bs: 100,
        n: 'voltage',
        u: 'V',
        v: 120.1,
      },
      { n: 'current', t: -5, v: 1.2, s: 1 },
      { n: 'current', t: -4, vb: true },
    ];
    const resolved = resolveSenml(records);
    expect(resolved[0]).toEqual({ n: 'urn:dev:ow:10e2073a01080063:voltage', t: 1.276020076001e9, u: 'V', v: 130.1 });
    expect(resolved[1]).toEqual({
      n: 'urn:dev:ow:10e2073a01080063:current',
      t: 1.276020071001e9,
      u: 'A',
      v: 11.2,
      s: 101,
    });
    expect(resolved[2]).toEqual({ n: 'urn:dev:ow:10e2073a01080063:current', t: 1.276020072001e9, u: 'A', vb: true });
  });

  it('resolves the seed: bn applies to every later record', () => {
    const names = resolveSenml(decodeSenmlJson(DEVICE_SENML_JSON)).map((r) => r.n);
    expect(names.slice(0, 5)).toEqual(['/3/0/0', '/3/0/1', '/3/0/2', '/3/0/3', '/3/0/6/0']);
  });

  it('rejects bad records clearly', () => {
    expect(() => resolveSenml([{ v: 1 }])).toThrow('no name');
    expect(() => resolveSenml([{ n: 'a', v: 1, vs: 'x' }])).toThrow('more than one value');
    expect(() => resolveSenml([{ n: 'a', bver: 11 }])).toThrow('version 11');
    expect(() => decodeSenmlJson('{"n":"a"}')).toThrow('must be an array');
    expect(() => decodeSenmlJson('[{"n":1}]')).toThrow('"n" must be a string (record 0)');
    expect(() => decodeSenmlJson('[{"n":"a","v":"1"}]')).toThrow('"v" must be a number');
    expect(() => decodeSenmlJson('[{"n":"a","x_":1}]')).toThrow('must-understand');
    expect(() => decodeSenmlJson('[{"n":"a",')).toThrow(CodecError);
    expect(() => decodeSenmlJson(new Uint8Array([0x5b, 0xff, 0x5d]))).toThrow('UTF-8');
    expect(() => decodeSenmlCbor(hex('a1 00 61 61'))).toThrow('expected an array of records (offset 0)');
    expect(() => decodeSenmlCbor(hex('82 a0 01'))).toThrow('expected record 1 to be a map (offset 2)');
    expect(() => decodeSenmlCbor(hex('81 a1 00 01'))).toThrow('"n" must be a string');
    expect(() => decodeSenmlCbor(hex('81 a2 00 61 61 00 61 62'))).toThrow('appears twice');
    expect(() => decodeSenmlCbor(hex('81 a1 00 63 61'))).toThrow(/exceeds the 1 bytes left.*offset 3/);
    expect(() => decodeSenmlCbor(hex('80 00'))).toThrow('trailing bytes');
    expect(decodeSenmlJson('[{"n":"a","v":1,"ext":5}]')).toEqual([{ n: 'a', v: 1 }]);
  });

  it('carries vd, vlo, bigint and floats', () => {
    const records: SenmlRecord[] = [
      { bn: '/1/0/', n: '0', vd: new Uint8Array([0xfb, 0xff, 0x01]) },
      { n: '1', vlo: '3:0' },
      { n: '2', v: 2n ** 62n },
      { n: '3', v: 1.5 },
      { n: '4', v: 0.1 },
      { n: '5', v: 3.4028234663852886e38 },
    ];
    expect(formatSenmlJson(records)).toBe(
      '[{"bn":"/1/0/","n":"0","vd":"-_8B"},{"n":"1","vlo":"3:0"},{"n":"2","v":4611686018427387904},{"n":"3","v":1.5},{"n":"4","v":0.1},{"n":"5","v":3.4028234663852886e+38}]',
    );
    const cbor = encodeSenmlCbor(records);
    // 1.5 -> half (f9 3e 00), 0.1 -> double, max float32 -> single.
    expect(toHex(cbor)).toContain('02 f9 3e 00');
    expect(toHex(cbor)).toContain('02 fb 3f b9 99 99 99 99 99 9a');
    expect(toHex(cbor)).toContain('02 fa 7f 7f ff ff');
    expect(toHex(cbor)).toContain('63 76 6c 6f 63 33 3a 30'); // "vlo": "3:0"
    expect(decodeSenmlCbor(cbor)).toEqual(records);
    expect(decodeSenmlJson(encodeSenmlJson(records))[0]?.vd).toEqual(new Uint8Array([0xfb, 0xff, 0x01]));
  });

  const recordArb: fc.Arbitrary<SenmlRecord> = fc.record(
    {
      bn: fc.string(),
      bt: fc.double({ noNaN: true, noDefaultInfinity: true }),
      bu: fc.string(),
      bver: fc.integer({ min: 1, max: 10 }),
      n: fc.string(),
      u: fc.string(),
      v: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
      vs: fc.string(),
      vb: fc.boolean(),
      vd: fc.uint8Array(),
      vlo: fc.string(),
      s: fc.double({ noNaN: true, noDefaultInfinity: true }),
      t: fc.double({ noNaN: true, noDefaultInfinity: true }),
      ut: fc.double({ noNaN: true, noDefaultInfinity: true }),
    },
    { requiredKeys: [] },
  );

  it('round-trips any records through CBOR and JSON', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 5 }), (records) => {
        const norm = records.map((r) => ({ ...r, ...(r.v !== undefined && Object.is(r.v, -0) ? { v: 0 } : {}) }));
        expect(decodeSenmlCbor(encodeSenmlCbor(records))).toEqual(records);
        expect(decodeSenmlJson(encodeSenmlJson(records))).toEqual(
          JSON.parse(
            JSON.stringify(norm, (_k, v) => (v instanceof Uint8Array ? { __bytes: [...v] } : v)),
            (_k, v) =>
              v && typeof v === 'object' && '__bytes' in v ? new Uint8Array(v.__bytes) : Object.is(v, -0) ? 0 : v,
          ),
        );
      }),
    );
  });

  it('never throws anything but CodecError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const decode of [decodeSenmlCbor, decodeSenmlJson]) {
          try {
            resolveSenml(decode(bytes));
          } catch (e) {
            if (!CodecError.isInstance(e)) throw e;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
