import { ContentFormat, encodeSenmlCbor, encodeSenmlJson } from '@lwm2m-ts/codec';
import { encode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { cborDiagnostic } from './cbor-diagnostic';
import { contentFormatName, parseContentFormat } from './content-formats';
import { hexDump, prettyPayload } from './pretty-payload';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('prettyPayload', () => {
  it('prints link format one link per line with attributes', () => {
    const text = prettyPayload(utf8('</time>;rt="ticks";ct=0;obs,</large>;sz=5000'), ContentFormat.LINK_FORMAT);
    expect(text).toBe('</time>  rt="ticks"  ct=0  obs\n</large>  sz=5000');
  });

  it('indents JSON', () => {
    expect(prettyPayload(utf8('{"a":1,"b":[true]}'), ContentFormat.JSON)).toBe(
      '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}',
    );
  });

  it('renders CBOR in diagnostic notation', () => {
    const bytes = encode(
      new Map<unknown, unknown>([
        [1, 'x'],
        ['k', new Uint8Array([0xde, 0xad])],
        [2, [1.5, null, false]],
      ]),
    );
    expect(prettyPayload(bytes, ContentFormat.CBOR)).toBe(`{1: "x", "k": h'dead', 2: [1.5, null, false]}`);
    // RFC 8949 Appendix A: 0xa26161016162820203 = {"a": 1, "b": [2, 3]}
    expect(cborDiagnostic(Uint8Array.from([0xa2, 0x61, 0x61, 0x01, 0x61, 0x62, 0x82, 0x02, 0x03]))).toBe(
      '{"a": 1, "b": [2, 3]}',
    );
    expect(cborDiagnostic(Uint8Array.from([0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0]))).toBe('1(1363896240)');
  });

  it('resolves SenML base fields, JSON and CBOR alike', () => {
    const records = [
      { bn: '/3303/0/', n: '5700', v: 21.5, u: 'Cel', bt: 100 },
      { n: '5701', vs: 'Cel' },
    ];
    const expected = '/3303/0/5700 = 21.5 Cel @ t=100\n/3303/0/5701 = "Cel" @ t=100';
    expect(prettyPayload(encodeSenmlJson(records), ContentFormat.SENML_JSON)).toBe(expected);
    expect(prettyPayload(encodeSenmlCbor(records), ContentFormat.SENML_CBOR)).toBe(expected);
  });

  it('shows text as is, bytes as a hex dump, and bad bodies raw with the reason', () => {
    expect(prettyPayload(utf8('hello'), undefined)).toBe('hello');
    expect(prettyPayload(Uint8Array.of(0, 1, 0x41), ContentFormat.OCTET_STREAM)).toBe(
      hexDump(Uint8Array.of(0, 1, 0x41)),
    );
    expect(hexDump(Uint8Array.of(0, 1, 0x41))).toBe(`00000000  00 01 41${' '.repeat(39)}  ..A`);
    expect(prettyPayload(utf8('{oops'), ContentFormat.JSON)).toMatch(
      /^\(not valid for its content format: .*\)\n\{oops$/,
    );
  });
});

describe('content formats', () => {
  it('accepts numbers, media types and aliases, and rejects the rest', () => {
    expect(parseContentFormat('50')).toBe(50);
    expect(parseContentFormat('application/json')).toBe(50);
    expect(parseContentFormat('senml+cbor')).toBe(112);
    expect(parseContentFormat('text')).toBe(0);
    expect(() => parseContentFormat('application/nope')).toThrow(/unknown content format/);
    expect(() => parseContentFormat('70000')).toThrow(/unknown content format/);
    expect(contentFormatName(40)).toBe('application/link-format');
  });
});
