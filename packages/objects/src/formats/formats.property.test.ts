import { CodecError, ContentFormat } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../model/index';
import type { ResourceModel, ResourceModelLookup } from '../model/types';
import { type LwM2mNode, LwM2mObject, nodesEqual, ObjectInstance, Resource } from '../node/node';
import { LwM2mValue, type LwM2mValueType } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import { createNodeCodecRegistry } from './node-codec-registry';
import { senmlCborNodeCodec, senmlCborRecordNodeCodec } from './senml-format';

const codecs = createNodeCodecRegistry();
const TYPES: LwM2mValueType[] = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
];

/** `json`: only values JSON carries exactly (safe integers, finite floats). */
function valueArb(type: LwM2mValueType, json: boolean): fc.Arbitrary<LwM2mValue> {
  const safe = fc.maxSafeInteger();
  switch (type) {
    case 'string':
      return fc.string().map(LwM2mValue.string);
    case 'corelnk':
      return fc.string().map(LwM2mValue.corelnk);
    case 'integer':
      return (json ? safe : fc.oneof(safe, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))).map(
        LwM2mValue.integer,
      );
    case 'unsigned':
      return (json ? fc.maxSafeNat() : fc.oneof(fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))).map(
        LwM2mValue.unsigned,
      );
    case 'float':
      return fc.double(json ? { noNaN: true, noDefaultInfinity: true } : {}).map(LwM2mValue.float);
    case 'boolean':
      return fc.boolean().map(LwM2mValue.boolean);
    case 'opaque':
      return fc.uint8Array({ maxLength: 20 }).map(LwM2mValue.opaque);
    case 'time':
      return fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map((s) => LwM2mValue.time(s));
    case 'objlnk':
      return fc.tuple(fc.nat(65535), fc.nat(65535)).map(([o, i]) => LwM2mValue.objlnk(o, i));
  }
}

interface Schema {
  objectId: number;
  resources: Array<{ id: number; type: LwM2mValueType; multiple: boolean }>;
}

const idArb = fc.oneof(fc.nat(20), fc.nat(65535));
const schemaArb: fc.Arbitrary<Schema> = fc.record({
  objectId: idArb,
  resources: fc.uniqueArray(fc.record({ id: idArb, type: fc.constantFrom(...TYPES), multiple: fc.boolean() }), {
    selector: (r) => r.id,
    minLength: 1,
    maxLength: 5,
  }),
});

function lookupFor(schema: Schema): ResourceModelLookup {
  return (objectId, resourceId) => {
    const r = objectId === schema.objectId ? schema.resources.find((x) => x.id === resourceId) : undefined;
    if (!r) return undefined;
    const model: ResourceModel = {
      id: r.id,
      name: `r${r.id}`,
      operations: { read: true, write: true, execute: false },
      multiple: r.multiple,
      mandatory: false,
      type: r.type,
      description: '',
    };
    return model;
  };
}

function objectArb(schema: Schema, json: boolean, allowEmpty: boolean): fc.Arbitrary<LwM2mObject> {
  const resourceArbs = schema.resources.map((r) =>
    r.multiple
      ? fc
          .uniqueArray(fc.tuple(idArb, valueArb(r.type, json)), {
            selector: (t) => t[0],
            minLength: allowEmpty ? 0 : 1,
            maxLength: 3,
          })
          .map((list) => Resource.multiple(r.id, r.type, list) as Resource)
      : valueArb(r.type, json).map((v) => Resource.single(r.id, v) as Resource),
  );
  const instanceArb = (id: number) =>
    fc
      .subarray(
        resourceArbs.map((_, i) => i),
        { minLength: allowEmpty ? 0 : 1 },
      )
      .chain(
        (picked): fc.Arbitrary<Resource[]> =>
          picked.length === 0 ? fc.constant([]) : fc.tuple(...picked.map((i) => resourceArbs[i]!)),
      )
      .map((resources) => ObjectInstance.of(id, resources));
  return fc
    .uniqueArray(idArb, { minLength: allowEmpty ? 0 : 1, maxLength: 3 })
    .chain(
      (ids): fc.Arbitrary<ObjectInstance[]> => (ids.length === 0 ? fc.constant([]) : fc.tuple(...ids.map(instanceArb))),
    )
    .map((instances) => LwM2mObject.of(schema.objectId, instances));
}

/** Every node of the object with its path: the object, its instances, resources, resource instances. */
function allNodes(object: LwM2mObject): Array<[LwM2mPath, LwM2mNode]> {
  const out: Array<[LwM2mPath, LwM2mNode]> = [[LwM2mPath.of(object.id), object]];
  for (const oi of object.instances.values()) {
    out.push([LwM2mPath.of(object.id, oi.id), oi]);
    for (const r of oi.resources.values()) {
      out.push([LwM2mPath.of(object.id, oi.id, r.id), r]);
      if (r.multiple) {
        for (const ri of r.instances.values()) out.push([LwM2mPath.of(object.id, oi.id, r.id, ri.id), ri]);
      }
    }
  }
  return out;
}

function roundTrip(
  format: number,
  object: LwM2mObject,
  lookup: ResourceModelLookup,
  filter?: (n: LwM2mNode) => boolean,
) {
  for (const [path, node] of allNodes(object)) {
    if (filter && !filter(node)) continue;
    const bytes = codecs.encode(format, node, path);
    const back = codecs.decode(format, bytes, path, lookup);
    if (!nodesEqual(back, node)) {
      throw new Error(
        `${codecs.get(format)?.name} changed ${path}: ${JSON.stringify(back, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v))}`,
      );
    }
  }
}

const isSingleValue = (n: LwM2mNode) => n.kind === 'resource-instance' || (n.kind === 'resource' && !n.multiple);

describe('every node round-trips in every format that can carry it', () => {
  it('LwM2M TLV and LwM2M CBOR: any node, including empty instances and multiple resources', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), objectArb(s, false, true))),
        ([schema, object]) => {
          roundTrip(ContentFormat.LWM2M_TLV, object, lookupFor(schema));
          roundTrip(ContentFormat.LWM2M_CBOR, object, lookupFor(schema));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('SenML CBOR: any node without empty containers inside (SenML has no record for them)', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), objectArb(s, false, false))),
        ([schema, object]) => roundTrip(ContentFormat.SENML_CBOR, object, lookupFor(schema)),
      ),
      { numRuns: 150 },
    );
  });

  it('SenML JSON and LwM2M JSON: values JSON carries exactly', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), objectArb(s, true, false))),
        ([schema, object]) => {
          roundTrip(ContentFormat.SENML_JSON, object, lookupFor(schema));
          roundTrip(ContentFormat.LWM2M_JSON, object, lookupFor(schema));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('text/plain and CBOR: single values; opaque: opaque single values', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), objectArb(s, true, false))),
        ([schema, object]) => {
          roundTrip(ContentFormat.TEXT_PLAIN, object, lookupFor(schema), isSingleValue);
          roundTrip(ContentFormat.CBOR, object, lookupFor(schema), isSingleValue);
          roundTrip(
            ContentFormat.OCTET_STREAM,
            object,
            lookupFor(schema),
            (n) => isSingleValue(n) && (n as { value: LwM2mValue }).value.type === 'opaque',
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('composite: SenML JSON, SenML CBOR and LwM2M CBOR carry maps of leaves', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), objectArb(s, true, false))),
        ([schema, object]) => {
          const lookup = lookupFor(schema);
          const leaves = new Map(
            allNodes(object)
              .filter(([, n]) => isSingleValue(n))
              .map(([p, n]) => [p.toString(), n] as const),
          );
          for (const format of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR, ContentFormat.LWM2M_CBOR]) {
            const back = codecs.decodeComposite(format, codecs.encodeComposite(format, leaves), lookup);
            expect(back.size).toBe(leaves.size);
            for (const [p, n] of leaves) expect(nodesEqual(back.get(p)!, n)).toBe(true);
            // Grouped under the object, the same values form the object again.
            const grouped = codecs.decodeComposite(format, codecs.encodeComposite(format, leaves), lookup, [
              LwM2mPath.of(object.id),
            ]);
            expect(nodesEqual(grouped.get(`/${object.id}`)!, object)).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the SenML CBOR node writer', () => {
  it('writes the same bytes as going through SenML records', () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), objectArb(s, false, true))),
        ([, object]) => {
          for (const [path, node] of allNodes(object)) {
            expect(senmlCborNodeCodec.encode(node, path)).toEqual(senmlCborRecordNodeCodec.encode(node, path));
          }
          const leaves = new Map(allNodes(object).filter(([, n]) => isSingleValue(n)));
          expect(senmlCborNodeCodec.composite!.encodeNodes(leaves)).toEqual(
            senmlCborRecordNodeCodec.composite!.encodeNodes(leaves),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('decoders never crash on random bytes', () => {
  const lookups: Array<ResourceModelLookup | undefined> = [undefined, createDefaultRegistry().lookup()];
  const paths = ['/3', '/3/0', '/3/0/0', '/3/0/6', '/3/0/6/1', '/3311/0/5850'].map((p) => LwM2mPath.parse(p));

  it('throws only CodecError, for every format, path and lookup', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 48 }),
        fc.constantFrom(...paths),
        fc.constantFrom(...lookups),
        (bytes, path, lookup) => {
          for (const format of codecs.contentFormats()) {
            try {
              codecs.decode(format, bytes, path, lookup);
            } catch (e) {
              if (!CodecError.isInstance(e)) throw e;
            }
            const composite = codecs.get(format)?.composite;
            if (!composite) continue;
            for (const run of [() => composite.decodeNodes(bytes, lookup), () => composite.decodePaths(bytes)]) {
              try {
                run();
              } catch (e) {
                if (!CodecError.isInstance(e)) throw e;
              }
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('throws only CodecError on mutated valid payloads', () => {
    const device = codecs.decode(
      ContentFormat.SENML_JSON,
      new TextEncoder().encode('[{"bn":"/3/0/","n":"0","vs":"x"},{"n":"6/0","v":1},{"n":"13","v":5}]'),
      LwM2mPath.parse('/3/0'),
      lookups[1],
    );
    const samples = codecs.contentFormats().flatMap((f) => {
      try {
        return [[f, codecs.encode(f, device, LwM2mPath.parse('/3/0'))] as const];
      } catch {
        return [];
      }
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.nat(255),
        fc.constantFrom(...lookups),
        ([format, bytes], at, byte, lookup) => {
          const mutated = bytes.slice();
          mutated[at % mutated.length] = byte;
          try {
            codecs.decode(format, mutated, LwM2mPath.parse('/3/0'), lookup);
          } catch (e) {
            if (!CodecError.isInstance(e)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
