import { CodecError, ContentFormat } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../model/index';
import { LwM2mObject, nodesEqual, ObjectInstance, Resource, ResourceInstance } from '../node/node';
import { LwM2mValue } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import {
  DEVICE_INSTANCE,
  DEVICE_SENML_CBOR_HEX,
  DEVICE_SENML_JSON,
  hex,
  toHex,
  WRITE_COMPOSITE_SENML_JSON,
} from './fixtures/seed-payloads';
import { BUILT_IN_NODE_CODECS, createNodeCodecRegistry, NodeCodecRegistry } from './node-codec-registry';

const codecs = createNodeCodecRegistry();
const lookup = createDefaultRegistry().lookup();
const utf8 = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const P = (s: string) => LwM2mPath.parse(s);

describe('seed Device object /3/0', () => {
  it('decodes the SenML JSON and SenML CBOR examples to the same node', () => {
    const fromJson = codecs.decode(ContentFormat.SENML_JSON, utf8.encode(DEVICE_SENML_JSON), P('/3/0'), lookup);
    const fromCbor = codecs.decode(ContentFormat.SENML_CBOR, hex(DEVICE_SENML_CBOR_HEX), P('/3/0'), lookup);
    expect(nodesEqual(fromJson, DEVICE_INSTANCE)).toBe(true);
    expect(nodesEqual(fromCbor, DEVICE_INSTANCE)).toBe(true);
    const time = fromJson.kind === 'object-instance' ? fromJson.resources.get(13) : undefined;
    expect(time?.multiple === false && time.value).toEqual({ type: 'time', value: 1367491215 });
  });

  it('re-encodes both byte for byte', () => {
    expect(text(codecs.encode(ContentFormat.SENML_JSON, DEVICE_INSTANCE, P('/3/0')))).toBe(DEVICE_SENML_JSON);
    expect(toHex(codecs.encode(ContentFormat.SENML_CBOR, DEVICE_INSTANCE, P('/3/0')))).toBe(
      toHex(hex(DEVICE_SENML_CBOR_HEX)),
    );
  });

  it('round-trips through every multi-value format', () => {
    for (const format of [ContentFormat.LWM2M_TLV, ContentFormat.LWM2M_CBOR, ContentFormat.LWM2M_JSON]) {
      const bytes = codecs.encode(format, DEVICE_INSTANCE, P('/3/0'));
      expect(nodesEqual(codecs.decode(format, bytes, P('/3/0'), lookup), DEVICE_INSTANCE)).toBe(true);
    }
  });

  it('decodes the records in any order', () => {
    const records = JSON.parse(DEVICE_SENML_JSON) as Array<Record<string, unknown>>;
    const [first, ...rest] = records;
    const { bn: _bn, ...firstWithoutBn } = first!;
    const shuffled = [{ bn: '/3/0/', ...rest.reverse()[0] }, ...rest.slice(1), firstWithoutBn];
    const node = codecs.decode(ContentFormat.SENML_JSON, utf8.encode(JSON.stringify(shuffled)), P('/3/0'), lookup);
    expect(nodesEqual(node, DEVICE_INSTANCE)).toBe(true);
  });
});

describe('seed Write-Composite (lights off, dimmer 20 %, thermostat 18)', () => {
  const entries = new Map([
    ['/3311/0/5850', Resource.single(5850, LwM2mValue.boolean(false))],
    ['/3311/1/5850', Resource.single(5850, LwM2mValue.boolean(false))],
    ['/3311/2/5851', Resource.single(5851, LwM2mValue.integer(20))],
    ['/3308/0/5900', Resource.single(5900, LwM2mValue.float(18))],
  ]);

  it('decodes to typed nodes and re-encodes byte for byte', () => {
    const decoded = codecs.decodeComposite(ContentFormat.SENML_JSON, utf8.encode(WRITE_COMPOSITE_SENML_JSON), lookup);
    expect([...decoded.keys()]).toEqual([...entries.keys()]);
    for (const [path, node] of entries) expect(nodesEqual(decoded.get(path)!, node)).toBe(true);
    expect(text(codecs.encodeComposite(ContentFormat.SENML_JSON, decoded))).toBe(WRITE_COMPOSITE_SENML_JSON);
  });

  it('round-trips through SenML CBOR and LwM2M CBOR', () => {
    for (const format of [ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR]) {
      const decoded = codecs.decodeComposite(format, codecs.encodeComposite(format, entries), lookup);
      expect([...decoded.keys()].sort()).toEqual([...entries.keys()].sort());
      for (const [path, node] of entries) expect(nodesEqual(decoded.get(path)!, node)).toBe(true);
    }
  });
});

describe('seed timer configuration (POST to three resources, one executable)', () => {
  it('decodes, typing the executable Trigger from the payload', () => {
    // The seed's quote after 5523 is a typographic one; this is the intended JSON.
    const body = '[{"n":"/3340/0/5521","v":23},{"n":"/3340/0/5523","vs":""},{"n":"/3311/0/5525","v":20}]';
    const nodes = codecs.decodeComposite(ContentFormat.SENML_JSON, utf8.encode(body), lookup);
    expect(nodesEqual(nodes.get('/3340/0/5521')!, Resource.single(5521, LwM2mValue.float(23)))).toBe(true);
    expect(nodesEqual(nodes.get('/3340/0/5523')!, Resource.single(5523, LwM2mValue.string('')))).toBe(true);
    expect(text(codecs.encodeComposite(ContentFormat.SENML_JSON, nodes))).toBe(body);
  });
});

describe('composite paths and grouped reads', () => {
  it('encodes and decodes a Read-Composite path list (records with only n)', () => {
    const paths = [P('/3/0/9'), P('/1'), P('/3311/0')];
    const body = codecs.encodePaths(ContentFormat.SENML_JSON, paths);
    expect(text(body)).toBe('[{"n":"/3/0/9"},{"n":"/1"},{"n":"/3311/0"}]');
    expect(codecs.decodePaths(ContentFormat.SENML_JSON, body).map(String)).toEqual(paths.map(String));
    const cbor = codecs.encodePaths(ContentFormat.SENML_CBOR, paths);
    expect(toHex(cbor).startsWith('83 a1 00 66 2f 33 2f 30 2f 39')).toBe(true);
    expect(codecs.decodePaths(ContentFormat.SENML_CBOR, cbor).map(String)).toEqual(paths.map(String));
    expect(() => codecs.decodePaths(ContentFormat.SENML_JSON, utf8.encode('[{"n":"/3/0/9","v":1}]'))).toThrow(
      'carries a value',
    );
  });

  it('groups a Read-Composite response under the requested paths', () => {
    const body = utf8.encode('[{"n":"/3/0/9","v":87},{"n":"/3/0/6/0","v":1},{"n":"/3311/0/5850","vb":true}]');
    const nodes = codecs.decodeComposite(ContentFormat.SENML_JSON, body, lookup, [
      P('/3/0'),
      P('/3311/0/5850'),
      P('/5'),
    ]);
    expect([...nodes.keys()]).toEqual(['/3/0', '/3311/0/5850']);
    const device = nodes.get('/3/0')!;
    expect(device.kind === 'object-instance' && [...device.resources.keys()]).toEqual([6, 9]);
    expect(() => codecs.decodeComposite(ContentFormat.SENML_JSON, body, lookup, [P('/3/0')])).toThrow(
      'was not requested',
    );
  });
});

describe('single values: text/plain and opaque', () => {
  it('encodes and decodes every type as text', () => {
    const cases: Array<[string, LwM2mValue, string]> = [
      ['/3/0/0', LwM2mValue.string('Open Mobile Alliance'), 'Open Mobile Alliance'],
      ['/3/0/9', LwM2mValue.integer(87), '87'],
      ['/3/0/13', LwM2mValue.time(1367491215), '1367491215'],
      ['/3308/0/5900', LwM2mValue.float(18.5), '18.5'],
      ['/3311/0/5850', LwM2mValue.boolean(true), '1'],
      ['/1/0/7', LwM2mValue.string('U'), 'U'],
      ['/3/0/6/1', LwM2mValue.integer(5), '5'],
    ];
    for (const [path, value, body] of cases) {
      const p = P(path);
      const node = p.isResourceInstance()
        ? ResourceInstance.of(p.resourceInstanceId!, value)
        : Resource.single(p.resourceId!, value);
      expect(text(codecs.encode(ContentFormat.TEXT_PLAIN, node, p))).toBe(body);
      expect(nodesEqual(codecs.decode(ContentFormat.TEXT_PLAIN, utf8.encode(body), p, lookup), node)).toBe(true);
    }
  });

  it('rejects text that does not fit the model and nodes that are not single values', () => {
    expect(() => codecs.decode(ContentFormat.TEXT_PLAIN, utf8.encode('12a'), P('/3/0/9'), lookup)).toThrow(
      'not an integer for /3/0/9',
    );
    expect(() => codecs.decode(ContentFormat.TEXT_PLAIN, utf8.encode('2'), P('/3311/0/5850'), lookup)).toThrow(
      'boolean',
    );
    expect(() => codecs.decode(ContentFormat.TEXT_PLAIN, utf8.encode('1'), P('/3/0'), lookup)).toThrow(
      'single value only',
    );
    expect(() => codecs.decode(ContentFormat.TEXT_PLAIN, Uint8Array.of(0x32, 0xff), P('/3/0/0'), lookup)).toThrow(
      'not valid UTF-8',
    );
    // Short ASCII (fast path), longer text and non-ASCII text all decode as UTF-8; a BOM is dropped.
    const str = (bytes: Uint8Array) =>
      (codecs.decode(ContentFormat.TEXT_PLAIN, bytes, P('/3/0/0'), lookup) as { value: { value: string } }).value.value;
    expect(str(utf8.encode('21.50'))).toBe('21.50');
    expect(str(utf8.encode('x'.repeat(40)))).toBe('x'.repeat(40));
    expect(str(utf8.encode('Zürich'))).toBe('Zürich');
    expect(str(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toBe('A');
    expect(str(new Uint8Array(0))).toBe('');
    try {
      codecs.encode(ContentFormat.TEXT_PLAIN, DEVICE_INSTANCE, P('/3/0'));
      expect.unreachable();
    } catch (e) {
      expect(CodecError.isInstance(e) && e.responseCode).toBe(0x86);
    }
  });

  it('carries opaque bytes as-is', () => {
    const node = Resource.single(0, LwM2mValue.opaque(new Uint8Array([0, 1, 255])));
    const bytes = codecs.encode(ContentFormat.OCTET_STREAM, node, P('/5/0/0'));
    expect(toHex(bytes)).toBe('00 01 ff');
    expect(nodesEqual(codecs.decode(ContentFormat.OCTET_STREAM, bytes, P('/5/0/0'), lookup), node)).toBe(true);
    expect(() => codecs.decode(ContentFormat.OCTET_STREAM, bytes, P('/3/0/9'), lookup)).toThrow('cannot carry integer');
  });
});

describe('application/cbor (60): single values', () => {
  it('encodes one CBOR item per value and types it by the model', () => {
    const cases: Array<[string, LwM2mValue, string]> = [
      ['/3/0/9', LwM2mValue.integer(100), '18 64'],
      ['/3/0/0', LwM2mValue.string('OMA'), '63 4f 4d 41'],
      ['/3308/0/5900', LwM2mValue.float(18), 'f9 4c 80'],
      ['/3311/0/5850', LwM2mValue.boolean(true), 'f5'],
      ['/3/0/13', LwM2mValue.time(1367491215), '1a 51 82 42 8f'],
      ['/5/0/0', LwM2mValue.opaque(new Uint8Array([1, 2])), '42 01 02'],
    ];
    for (const [path, value, bytes] of cases) {
      const node = Resource.single(P(path).resourceId!, value);
      expect(toHex(codecs.encode(ContentFormat.CBOR, node, P(path)))).toBe(bytes);
      expect(nodesEqual(codecs.decode(ContentFormat.CBOR, hex(bytes), P(path), lookup), node)).toBe(true);
    }
    expect(
      nodesEqual(
        codecs.decode(ContentFormat.CBOR, hex('c1 1a 51 82 42 8f'), P('/3/0/13'), lookup),
        Resource.single(13, LwM2mValue.time(1367491215)),
      ),
    ).toBe(true);
    expect(() => codecs.decode(ContentFormat.CBOR, hex('63 4f 4d 41'), P('/3/0/9'), lookup)).toThrow('expects integer');
    expect(() => codecs.decode(ContentFormat.CBOR, hex('80'), P('/3/0/9'), lookup)).toThrow('needs a single');
    expect(() => codecs.encode(ContentFormat.CBOR, DEVICE_INSTANCE, P('/3/0'))).toThrow('single value only');
  });
});

describe('formats and the path', () => {
  it('encodes single resources and instances with bn = full path in SenML and LwM2M CBOR keys', () => {
    const r = Resource.single(9, LwM2mValue.integer(100));
    expect(text(codecs.encode(ContentFormat.SENML_JSON, r, P('/3/0/9')))).toBe('[{"bn":"/3/0/9","v":100}]');
    expect(toHex(codecs.encode(ContentFormat.LWM2M_CBOR, r, P('/3/0/9')))).toBe('a1 83 03 00 09 18 64');
    expect(text(codecs.encode(ContentFormat.LWM2M_JSON, r, P('/3/0/9')))).toBe('{"bn":"/3/0/9","e":[{"v":100}]}');
    const obj = LwM2mObject.of(3, [DEVICE_INSTANCE]);
    expect(toHex(codecs.encode(ContentFormat.LWM2M_CBOR, obj, P('/3'))).startsWith('a1 03 a1 00 ad 00 74')).toBe(true);
  });

  it('names the target path and the byte when a payload is malformed', () => {
    expect(() => codecs.decode(ContentFormat.LWM2M_TLV, hex('c8 00'), P('/3/0'), lookup)).toThrow(
      'LwM2M TLV payload for /3/0: TLV resource header is truncated (/3/0, offset 0)',
    );
    try {
      codecs.decode(ContentFormat.SENML_CBOR, hex('81 a1 00 63 61'), P('/3/0'), lookup);
      expect.unreachable();
    } catch (e) {
      expect(CodecError.isInstance(e) && [e.location, e.offset]).toEqual(['/3/0', 3]);
    }
  });

  it('rejects values outside the target path and unsupported formats', () => {
    const body = utf8.encode('[{"n":"/3/1/9","v":1}]');
    expect(() => codecs.decode(ContentFormat.SENML_JSON, body, P('/3/0'), lookup)).toThrow(
      'outside the target path /3/0',
    );
    expect(() => codecs.decode(9999, body, P('/3/0'), lookup)).toThrow('content format 9999 is not supported');
    expect(() => codecs.encodeComposite(ContentFormat.LWM2M_TLV, new Map())).toThrow('cannot carry composite');
  });

  it('is extensible: a user codec replaces a built-in', () => {
    const registry = createNodeCodecRegistry();
    registry.register({
      contentFormat: ContentFormat.TEXT_PLAIN,
      name: 'shouting text',
      encode: () => utf8.encode('HELLO'),
      decode: () => Resource.single(0, LwM2mValue.string('hello')),
    });
    expect(text(registry.encode(ContentFormat.TEXT_PLAIN, DEVICE_INSTANCE, P('/3/0')))).toBe('HELLO');
    expect(registry.contentFormats()).toEqual([0, 42, 60, 110, 112, 1541, 1542, 1543, 1544, 11542, 11543, 11544]);
    expect(new NodeCodecRegistry(BUILT_IN_NODE_CODECS).contentFormats()).toEqual([
      0, 42, 60, 110, 112, 11542, 11543, 11544,
    ]);
    expect(registry.compositeContentFormats()).toEqual([110, 112, 11544]);
    expect(createNodeCodecRegistry().get(0)?.name).toBe('text/plain');
  });

  it('keeps empty multiple resources when the model says multiple', () => {
    const empty = Resource.multiple(11, 'integer');
    for (const format of [
      ContentFormat.SENML_JSON,
      ContentFormat.SENML_CBOR,
      ContentFormat.LWM2M_TLV,
      ContentFormat.LWM2M_CBOR,
    ]) {
      const bytes = codecs.encode(format, empty, P('/3/0/11'));
      expect(nodesEqual(codecs.decode(format, bytes, P('/3/0/11'), lookup), empty)).toBe(true);
    }
    const emptyInstance = ObjectInstance.of(0, []);
    expect(
      nodesEqual(codecs.decode(ContentFormat.SENML_JSON, utf8.encode('[]'), P('/3/0'), lookup), emptyInstance),
    ).toBe(true);
  });
});

describe('timestamped values (Send, notifications with history)', () => {
  it('groups records by resolved time and re-encodes them', () => {
    const body = utf8.encode(
      '[{"bn":"/3303/0/","bt":1700000000,"n":"5700","v":20.5},{"n":"5700","t":60,"v":21},' +
        '{"bn":"/3/0/","n":"9","t":60,"v":87}]',
    );
    const groups = codecs.decodeTimestamped(ContentFormat.SENML_JSON, body, lookup);
    expect(groups.map((g) => [g.timestamp, [...g.nodes.keys()]])).toEqual([
      [1700000000, ['/3303/0/5700']],
      [1700000060, ['/3303/0/5700', '/3/0/9']],
    ]);
    const again = codecs.encodeTimestamped(ContentFormat.SENML_JSON, groups);
    expect(text(again)).toBe(
      '[{"n":"/3303/0/5700","v":20.5,"t":1700000000},{"n":"/3303/0/5700","v":21,"t":1700000060},{"n":"/3/0/9","v":87,"t":1700000060}]',
    );
    for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR]) {
      const back = codecs.decodeTimestamped(format, codecs.encodeTimestamped(format, groups), lookup);
      expect(back.map((g) => g.timestamp)).toEqual([1700000000, 1700000060]);
      expect(nodesEqual(back[1]!.nodes.get('/3/0/9')!, Resource.single(9, LwM2mValue.integer(87)))).toBe(true);
    }
    const plain = codecs.decodeTimestamped(ContentFormat.SENML_JSON, utf8.encode(WRITE_COMPOSITE_SENML_JSON), lookup);
    expect(plain.map((g) => [g.timestamp, g.nodes.size])).toEqual([[undefined, 4]]);
    expect(() => codecs.decodeTimestamped(ContentFormat.LWM2M_CBOR, new Uint8Array([0xa0]), lookup)).toThrow(
      'cannot carry timestamped values',
    );
  });
});
