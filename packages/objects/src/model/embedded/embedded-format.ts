import type { ObjectModel, RangeSpec, ResourceModel, ResourceType } from '../types';

/**
 * The compact table format of embedded-models.ts: tuples with every text replaced by an index
 * into a shared string table (descriptions repeat across object versions and IPSO objects).
 */

/** `[min, max]` range, `{ e }` enumeration, `{ t }` free text (string index), 0 for none. */
export type EmbeddedRange =
  | 0
  | readonly [number | bigint, number | bigint]
  | { readonly e: readonly (number | string)[] }
  | { readonly t: number };

/** Bit 0: multiple instances; bit 1: mandatory. */
export type EmbeddedFlags = number;

export type EmbeddedResource = readonly [
  id: number,
  name: number,
  operations: '' | 'R' | 'W' | 'RW' | 'E' | 'RE' | 'WE' | 'RWE',
  flags: EmbeddedFlags,
  type: ResourceType,
  range: EmbeddedRange,
  units: number,
  description: number,
];

export type EmbeddedObject = readonly [
  id: number,
  name: number,
  description: number,
  description2: number,
  version: string,
  lwm2mVersion: string,
  urn: number,
  flags: EmbeddedFlags,
  resources: readonly EmbeddedResource[],
];

/** Expands the compact tables into object models. `-1` marks an absent optional string. */
export function decodeEmbedded(objects: readonly EmbeddedObject[], strings: readonly string[]): ObjectModel[] {
  const text = (index: number): string => {
    const value = strings[index];
    if (value === undefined)
      throw new Error(`embedded models: string #${index} is missing (regenerate embedded-models.ts)`);
    return value;
  };
  const range = (spec: EmbeddedRange): RangeSpec | undefined => {
    if (spec === 0) return undefined;
    if (Array.isArray(spec)) return { kind: 'range', min: spec[0], max: spec[1] };
    if ('e' in spec) return { kind: 'enumeration', values: spec.e };
    return { kind: 'text', text: text((spec as { t: number }).t) };
  };
  return objects.map(([id, name, description, description2, version, lwm2mVersion, urn, flags, resources]) => ({
    id,
    name: text(name),
    description: text(description),
    ...(description2 >= 0 ? { description2: text(description2) } : {}),
    version,
    lwm2mVersion,
    urn: text(urn),
    multiple: (flags & 1) !== 0,
    mandatory: (flags & 2) !== 0,
    resources: new Map(
      resources.map(([rid, rname, operations, rflags, type, rrange, units, rdescription]): [number, ResourceModel] => {
        const parsedRange = range(rrange);
        return [
          rid,
          {
            id: rid,
            name: text(rname),
            operations: {
              read: operations.includes('R'),
              write: operations.includes('W'),
              execute: operations.includes('E'),
            },
            multiple: (rflags & 1) !== 0,
            mandatory: (rflags & 2) !== 0,
            type,
            ...(parsedRange !== undefined ? { range: parsedRange } : {}),
            ...(units >= 0 ? { units: text(units) } : {}),
            description: text(rdescription),
          },
        ];
      }),
    ),
  }));
}
