import { describe, expect, it } from 'vitest';
import { ModelRegistry } from './model-registry';
import type { ObjectModel, ResourceModel } from './types';

const resource = (id: number, name: string): ResourceModel => ({
  id,
  name,
  operations: { read: true, write: false, execute: false },
  multiple: false,
  mandatory: false,
  type: 'integer',
  description: '',
});
const model = (id: number, version: string, ...resources: ResourceModel[]): ObjectModel => ({
  id,
  name: `Object ${id}`,
  description: '',
  version,
  lwm2mVersion: '1.1',
  urn: `urn:oma:lwm2m:oma:${id}`,
  multiple: false,
  mandatory: false,
  resources: new Map(resources.map((r) => [r.id, r])),
});

describe('ModelRegistry', () => {
  it('keeps several versions of one object side by side', () => {
    const registry = new ModelRegistry([
      model(3, '1.2', resource(1, 'v12')),
      model(3, '1.0', resource(1, 'v10')),
      model(3, '1.10'),
    ]);
    registry.add(model(3, '1.1', resource(1, 'v11')));
    expect(registry.versions(3)).toEqual(['1.0', '1.1', '1.2', '1.10']);
    expect(registry.get(3, '1.1')?.resources.get(1)?.name).toBe('v11');
    expect(registry.get(3, '')?.version).toBe('1.0');
    expect(registry.get(3, '2.0')).toBeUndefined();
    expect(registry.latest(3)?.version).toBe('1.10');
    expect(registry.get(3)?.version).toBe('1.10');
    expect(registry.size).toBe(4);
  });

  it('replaces a model with the same id and version', () => {
    const registry = new ModelRegistry([model(3, '1.0', resource(1, 'old'))]);
    registry.add([model(3, '1.0', resource(1, 'new'))]);
    expect(registry.size).toBe(1);
    expect(registry.resource(3, 1)?.name).toBe('new');
  });

  it('lists ids and models in order, and removes', () => {
    const registry = new ModelRegistry().add(model(3303, '1.0')).add(model(0, '1.1')).add(model(0, '1.0'));
    expect(registry.objectIds()).toEqual([0, 3303]);
    expect(registry.all().map((m) => `${m.id}@${m.version}`)).toEqual(['0@1.0', '0@1.1', '3303@1.0']);
    expect(registry.remove(0, '1.1')).toBe(true);
    expect(registry.remove(0, '1.1')).toBe(false);
    expect(registry.remove(0, '1.0')).toBe(true);
    expect(registry.has(0)).toBe(false);
    expect(registry.objectIds()).toEqual([3303]);
    expect(registry.remove(3303)).toBe(true);
    expect(registry.remove(3303)).toBe(false);
    expect(registry.size).toBe(0);
  });

  it('gives codecs a lookup that honours registered versions and falls back to the latest', () => {
    const registry = new ModelRegistry([
      model(3, '1.0', resource(1, 'old')),
      model(3, '1.2', resource(1, 'new'), resource(2, 'only in 1.2')),
    ]);
    const latest = registry.lookup();
    expect(latest(3, 1)?.name).toBe('new');
    const pinned = registry.lookup(new Map([[3, '1.0']]));
    expect(pinned(3, 1)?.name).toBe('old');
    expect(pinned(3, 2)).toBeUndefined();
    const unknownVersion = registry.lookup(() => '9.9');
    expect(unknownVersion(3, 1)?.name).toBe('new');
    expect(latest(4, 1)).toBeUndefined();
    registry.add(model(4, '1.0', resource(1, 'added later')));
    expect(latest(4, 1)?.name).toBe('added later');
  });
});
