// Tested through the `@lwm2m-ts/objects/node` entry file, the way users import it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDdfDirectory, readDdfDirectory } from '../node';
import { DdfError } from './ddf-error';
import { ModelRegistry } from './model-registry';
import { parseDdf } from './parse-ddf';
import { REGISTRY_DIR } from './testing/shared-registry';

const ddf = (id: number, version: string, name = `User ${id}`) =>
  `<LWM2M><Object><Name>${name}</Name><ObjectID>${id}</ObjectID><ObjectVersion>${version}</ObjectVersion><ObjectURN>urn:oma:lwm2m:x:${id}</ObjectURN>` +
  '<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources/></Object></LWM2M>';

describe('loadDdfDirectory / readDdfDirectory', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function folder(files: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'lwm2m-ddf-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  it('adds every DDF of a folder, overriding same id and version, and skips foreign XML', async () => {
    const registry = new ModelRegistry(parseDdf(ddf(10241, '1.0', 'embedded')));
    const result = await loadDdfDirectory(
      registry,
      folder({
        'a.xml': ddf(10241, '1.0'),
        'b.XML': ddf(10242, '2.0'),
        'list.xml': '<DDFList><Item/></DDFList>',
        'notes.txt': 'x',
      }),
    );
    expect(result.models.map((m) => m.id)).toEqual([10241, 10242]);
    expect(result.skipped).toEqual([{ file: 'list.xml', reason: 'root element is <DDFList>, not <LWM2M>' }]);
    expect(result.failed).toEqual([]);
    expect(registry.get(10241)?.name).toBe('User 10241');
    expect(registry.get(10242, '2.0')?.name).toBe('User 10242');
  });

  it('readDdfDirectory reads the same models without touching any registry', async () => {
    const path = folder({
      'a.xml': ddf(10241, '1.0'),
      'Common.xml': '<LWM2M><Object ObjectType="CommonResources"/></LWM2M>',
    });
    const result = await readDdfDirectory(path);
    expect(result.models.map((m) => [m.id, m.version, m.name])).toEqual([[10241, '1.0', 'User 10241']]);
    expect(result.skipped.map((s) => s.file)).toEqual(['Common.xml']);
  });

  it('rejects on a malformed file unless strict is off', async () => {
    const path = folder({ 'good.xml': ddf(10241, '1.0'), 'bad.xml': '<LWM2M><Object><Name>x</Object></LWM2M>' });
    const strict = new ModelRegistry();
    const error = await loadDdfDirectory(strict, path).catch((e: unknown) => e);
    expect(DdfError.isInstance(error)).toBe(true);
    expect((error as DdfError).source).toBe(join(path, 'bad.xml'));
    expect(strict.size).toBe(0);

    const lenient = new ModelRegistry();
    const result = await loadDdfDirectory(lenient, path, { strict: false });
    expect(result.failed.map((f) => f.file)).toEqual(['bad.xml']);
    expect(lenient.objectIds()).toEqual([10241]);
  });

  it('rejects with the file system error for a missing folder, registry unchanged', async () => {
    const registry = new ModelRegistry();
    const missing = join(tmpdir(), 'lwm2m-ddf-does-not-exist-4f1c');
    await expect(loadDdfDirectory(registry, missing)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(registry.size).toBe(0);
  });

  it('loads the whole OMA registry folder', async () => {
    const registry = new ModelRegistry();
    const result = await loadDdfDirectory(registry, REGISTRY_DIR);
    expect(result.models).toHaveLength(424);
    expect(result.skipped.map((s) => s.file).sort()).toEqual(['Common.xml', 'DDF.xml', 'LWM2M_senml_units.xml']);
    expect(registry.size).toBe(424);
    expect(registry.objectIds()).toHaveLength(327);
    expect(registry.versions(3)).toEqual(['1.0', '1.1', '1.2']);
  });

  it('reads sub-folders when recursive', async () => {
    const registry = new ModelRegistry();
    const result = await loadDdfDirectory(registry, REGISTRY_DIR, { recursive: true });
    expect(result.models).toHaveLength(424 + 53);
    // The 2017 IPSO texts are version 1.0 and replace the registry's 1.0 of the same objects.
    expect(registry.size).toBe(424);
  });
});
