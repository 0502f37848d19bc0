// The embedded default set must equal, field by field, what the loader reads from the OMA
// registry files it was generated from; and it must cover the objects the project promises.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CORE_OBJECT_IDS,
  coreObjectModels,
  createDefaultRegistry,
  embeddedObjectModels,
  ipsoObjectModels,
} from '../default-registry';
import { parseDdf } from '../parse-ddf';
import { REGISTRY_DIR } from '../testing/shared-registry';
import type { ObjectModel } from '../types';

const IPSO_IDS = [3200, 3201, 3202, 3203, ...Array.from({ length: 51 }, (_, i) => 3300 + i)];
/** Numbers in the seed's list that the OMA registry has no object for. */
const NOT_IN_REGISTRY = [3307, 3309];

function registryModels(ids: readonly number[]): ObjectModel[] {
  return readdirSync(REGISTRY_DIR)
    .filter((file) => /^\d+-\d+_\d+\.xml$/.test(file) && ids.includes(Number(file.split('-')[0])))
    .flatMap((file) => parseDdf(readFileSync(`${REGISTRY_DIR}${file}`, 'utf8'), { source: file }));
}

const key = (model: ObjectModel) => `${model.id}@${model.version}`;

describe('embedded object models', () => {
  it.each([
    ['core', CORE_OBJECT_IDS, coreObjectModels],
    ['IPSO', IPSO_IDS, ipsoObjectModels],
  ] as const)('%s objects equal the registry files field by field', (_, ids, embedded) => {
    const expected = new Map(registryModels(ids).map((model) => [key(model), model]));
    const actual = new Map(embedded().map((model) => [key(model), model]));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, model] of actual) {
      const reference = expected.get(name);
      const { resources, ...fields } = model;
      const { resources: referenceResources, ...referenceFields } = reference ?? ({} as ObjectModel);
      expect(fields, name).toStrictEqual(referenceFields);
      expect([...resources.keys()], name).toEqual([...referenceResources.keys()]);
      for (const [id, resource] of resources)
        expect(resource, `${name}/${id}`).toStrictEqual(referenceResources.get(id));
    }
  });

  it('holds every version of the core objects and the IPSO objects of the seed', () => {
    const registry = createDefaultRegistry();
    expect(registry.versions(3)).toEqual(['1.0', '1.1', '1.2']);
    expect(registry.versions(0)).toEqual(['1.0', '1.1', '1.2']);
    expect(registry.versions(21)).toEqual(['1.0', '1.1', '2.0']);
    for (const id of [...CORE_OBJECT_IDS, ...IPSO_IDS.filter((id) => !NOT_IN_REGISTRY.includes(id))]) {
      expect(registry.has(id), `object ${id}`).toBe(true);
    }
    expect(registry.objectIds()).toHaveLength(CORE_OBJECT_IDS.length + IPSO_IDS.length - NOT_IN_REGISTRY.length);
    expect(registry.size).toBe(embeddedObjectModels().length);
  });

  it('carries the reusable IPSO resources 5500-5913', () => {
    const ids = new Set(ipsoObjectModels().flatMap((model) => [...model.resources.keys()]));
    // The seed's "IPSO Reusable Resources" table, less 5913 (UUID): no registry object uses it.
    const seed = [
      5500, 5501, 5502, 5503, 5504, 5505, 5506, 5507, 5508, 5509, 5510, 5511, 5512, 5513, 5514, 5515, 5516, 5517, 5518,
      5519, 5520, 5521, 5528, 5529, 5530, 5531, 5532, 5533, 5534, 5536, 5537, 5538, 5541, 5542, 5543, 5544, 5545, 5546,
      5547, 5548, 5550, 5551, 5600, 5601, 5605, 5650, 5700, 5701, 5702, 5703, 5704, 5705, 5706, 5750, 5751, 5800, 5801,
      5802, 5805, 5806, 5810, 5811, 5812, 5813, 5816, 5820, 5821, 5822, 5823, 5824, 5825, 5826, 5827, 5828, 5850, 5851,
      5852, 5853, 5854, 5900, 5903, 5904, 5910, 5911, 5912,
    ];
    for (const id of seed) {
      expect(ids.has(id), `resource ${id}`).toBe(true);
    }
    expect(createDefaultRegistry().resource(3303, 5700)).toMatchObject({ name: 'Sensor Value', type: 'float' });
  });

  it('returns independent copies', () => {
    const a = createDefaultRegistry();
    const b = createDefaultRegistry();
    a.remove(3);
    expect(b.has(3)).toBe(true);
    expect(coreObjectModels()[0]).not.toBe(coreObjectModels()[0]);
  });
});
