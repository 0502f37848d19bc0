import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DdfError } from './ddf-error';
import { ModelRegistry } from './model-registry';
import { REGISTRY_DIR } from './testing/shared-registry';
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

  describe('loadDirectory', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    const ddf = (id: number, version: string) =>
      `<LWM2M><Object><Name>User ${id}</Name><ObjectID>${id}</ObjectID><ObjectVersion>${version}</ObjectVersion><ObjectURN>urn:oma:lwm2m:x:${id}</ObjectURN>` +
      '<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources/></Object></LWM2M>';

    function folder(files: Record<string, string>): string {
      dir = mkdtempSync(join(tmpdir(), 'lwm2m-ddf-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return dir;
    }

    it('adds every DDF of a folder, overriding same id and version, and skips foreign XML', async () => {
      const registry = new ModelRegistry([model(10241, '1.0')]);
      const result = await registry.loadDirectory(
        folder({
          'a.xml': ddf(10241, '1.0'),
          'b.XML': ddf(10242, '2.0'),
          'list.xml': '<DDFList><Item/></DDFList>',
          'notes.txt': 'x',
        }),
      );
      expect(result.models.map((m) => m.id)).toEqual([10241, 10242]);
      expect(result.skipped).toEqual([{ file: 'list.xml', reason: 'root element is <DDFList>, not <LWM2M>' }]);
      expect(registry.get(10241)?.name).toBe('User 10241');
      expect(registry.get(10242, '2.0')?.name).toBe('User 10242');
    });

    it('rejects on a malformed file unless strict is off', async () => {
      const path = folder({ 'good.xml': ddf(10241, '1.0'), 'bad.xml': '<LWM2M><Object><Name>x</Object></LWM2M>' });
      const strict = new ModelRegistry();
      const error = await strict.loadDirectory(path).catch((e: unknown) => e);
      expect(DdfError.isInstance(error)).toBe(true);
      expect((error as DdfError).source).toBe(join(path, 'bad.xml'));
      expect(strict.size).toBe(0);

      const lenient = new ModelRegistry();
      const result = await lenient.loadDirectory(path, { strict: false });
      expect(result.failed.map((f) => f.file)).toEqual(['bad.xml']);
      expect(lenient.objectIds()).toEqual([10241]);
    });

    it('loads the whole OMA registry folder', async () => {
      const registry = new ModelRegistry();
      const result = await registry.loadDirectory(REGISTRY_DIR);
      expect(result.models).toHaveLength(424);
      expect(result.skipped.map((s) => s.file).sort()).toEqual(['Common.xml', 'DDF.xml', 'LWM2M_senml_units.xml']);
      expect(registry.size).toBe(424);
      expect(registry.objectIds()).toHaveLength(327);
      expect(registry.versions(3)).toEqual(['1.0', '1.1', '1.2']);
    });

    it('reads sub-folders when recursive', async () => {
      const registry = new ModelRegistry();
      const result = await registry.loadDirectory(REGISTRY_DIR, { recursive: true });
      expect(result.models).toHaveLength(424 + 53);
      // The 2017 IPSO texts are version 1.0 and replace the registry's 1.0 of the same objects.
      expect(registry.size).toBe(424);
    });
  });
});
