// Every DDF of the OMA registry copy and of the legacy IPSO 2017 set must load, and what the
// loader reads must agree with the INDEX.tsv written independently of this code.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDdf } from './parse-ddf';
import { type IndexRow, IPSO_2017_DIR, REGISTRY_DIR, readIndex } from './testing/shared-registry';
import type { ObjectModel } from './types';

function loadAll(dir: string, pattern: RegExp): Map<string, ObjectModel[]> {
  const files = readdirSync(dir).filter((name) => pattern.test(name));
  return new Map(files.map((file) => [file, parseDdf(readFileSync(`${dir}${file}`, 'utf8'), { source: file })]));
}

function expectMatchesIndex(loaded: Map<string, ObjectModel[]>, index: IndexRow[]): void {
  expect([...loaded.keys()].sort()).toEqual(index.map((row) => row.file).sort());
  for (const row of index) {
    const models = loaded.get(row.file);
    expect(models, row.file).toHaveLength(1);
    const model = models?.[0];
    expect(
      {
        id: model?.id,
        name: model?.name,
        version: model?.version,
        lwm2mVersion: model?.lwm2mVersion,
        multiple: model?.multiple,
        mandatory: model?.mandatory,
        resources: model?.resources.size,
      },
      row.file,
    ).toEqual({
      id: row.objectId,
      name: row.name,
      version: row.objectVersion || '1.0',
      lwm2mVersion: row.lwm2mVersion || '1.0',
      multiple: row.multiple === 'Multiple',
      mandatory: row.mandatory === 'Mandatory',
      resources: row.resourceCount,
    });
  }
}

describe('the OMA registry copy', () => {
  const index = readIndex(REGISTRY_DIR);
  const loaded = loadAll(REGISTRY_DIR, /^\d+-\d+_\d+\.xml$/);
  const models = [...loaded.values()].flat();

  it('loads every object version, as many objects and versions as INDEX.tsv lists', () => {
    expect(index).toHaveLength(424);
    expect(models).toHaveLength(index.length);
    expect(new Set(models.map((model) => model.id)).size).toBe(new Set(index.map((row) => row.objectId)).size);
    expect(new Set(models.map((model) => `${model.id}@${model.version}`)).size).toBe(index.length);
  });

  it('agrees with INDEX.tsv file by file', () => {
    expectMatchesIndex(loaded, index);
  });

  it('keeps every resource sane', () => {
    for (const model of models) {
      expect(model.urn, `${model.id}`).toMatch(/^urn:oma:lwm2m:/);
      for (const resource of model.resources.values()) {
        expect(resource.name, `${model.id}/${resource.id}`).not.toBe('');
        expect(resource.name).toBe(resource.name.trim());
        expect(resource.description).toBe(resource.description.trim());
        expect(resource.description).not.toContain('\r');
        if (resource.range?.kind === 'range') expect(resource.range.min <= resource.range.max).toBe(true);
      }
    }
  });

  it('reads known definitions right', () => {
    const device = models.find((model) => model.id === 3 && model.version === '1.2');
    expect(device?.resources.get(4)).toMatchObject({
      name: 'Reboot',
      type: 'none',
      operations: { read: false, write: false, execute: true },
    });
    expect(device?.resources.get(13)).toMatchObject({
      name: 'Current Time',
      type: 'time',
      operations: { read: true, write: true, execute: false },
    });
    expect(device?.resources.get(6)).toMatchObject({
      name: 'Available Power Sources',
      multiple: true,
      range: { kind: 'range', min: 0, max: 7 },
    });
    const security = models.find((model) => model.id === 0 && model.version === '1.0');
    expect(security).toMatchObject({ version: '1.0', lwm2mVersion: '1.0', multiple: true, mandatory: true });
    expect(security?.resources.get(0)).toMatchObject({
      name: 'LWM2M  Server URI',
      operations: { read: false, write: false, execute: false },
    });
    const temperature = models.find((model) => model.id === 3303 && model.version === '1.1');
    expect(temperature?.resources.get(5700)).toMatchObject({ name: 'Sensor Value', type: 'float', mandatory: true });
    const u64 = models
      .flatMap((model) => [...model.resources.values()])
      .find((r) => r.range?.kind === 'range' && r.range.max === 18446744073709551615n);
    expect(u64).toBeDefined();
  });
});

describe('the legacy IPSO 2017 set', () => {
  const index = readIndex(IPSO_2017_DIR);
  const loaded = loadAll(IPSO_2017_DIR, /\.xml$/);

  it('loads all 53 files and agrees with its INDEX.tsv', () => {
    expect(index).toHaveLength(53);
    expectMatchesIndex(loaded, index);
  });

  it('parses its "0-100" ranges', () => {
    const ranges = [...loaded.values()]
      .flat()
      .flatMap((model) => [...model.resources.values()])
      .map((r) => r.range);
    expect(ranges).toContainEqual({ kind: 'range', min: 0, max: 100 });
  });
});
