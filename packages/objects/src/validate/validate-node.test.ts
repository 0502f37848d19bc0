import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../model/default-registry';
import type { ObjectModel } from '../model/types';
import { LwM2mObject, ObjectInstance, Resource, ResourceInstance } from '../node/node';
import { LwM2mValue } from '../node/value';
import { LwM2mPath } from '../path/lwm2m-path';
import { validateNode } from './validate-node';

const registry = createDefaultRegistry();
const get = (id: number, version: string): ObjectModel => {
  const model = registry.get(id, version);
  if (model === undefined) throw new Error(`no embedded model ${id} v${version}`);
  return model;
};
const device = get(3, '1.2');
const server = get(1, '1.1');
const temperature = get(3303, '1.1');
const p = (text: string) => LwM2mPath.parse(text);
const summary = (problems: ReturnType<typeof validateNode>) => problems.map((x) => `${x.path} ${x.code}`);

describe('validateNode', () => {
  it('accepts a well-formed Device read answer', () => {
    const instance = ObjectInstance.of(0, [
      Resource.single(0, LwM2mValue.string('Open Mobile Alliance')),
      Resource.multiple(6, 'integer', [
        [0, LwM2mValue.integer(1)],
        [1, LwM2mValue.integer(5)],
      ]),
      Resource.single(9, LwM2mValue.integer(100)),
      Resource.multiple(11, 'integer', [[0, LwM2mValue.integer(0)]]),
      Resource.single(13, LwM2mValue.time(1367491215)),
      Resource.single(16, LwM2mValue.string('U')),
    ]);
    expect(validateNode(device, p('/3/0'), instance, 'read')).toEqual([]);
    expect(validateNode(device, p('/3'), LwM2mObject.of(3, [instance]), 'read')).toEqual([]);
  });

  it('names the failing resource and why: type, range, multiplicity, unknown', () => {
    const instance = ObjectInstance.of(0, [
      Resource.single(13, LwM2mValue.string('now')),
      Resource.single(9, LwM2mValue.integer(101)),
      Resource.single(6, LwM2mValue.integer(1)),
      Resource.multiple(11, 'integer', [[3, LwM2mValue.integer(-5)]]),
      Resource.single(999, LwM2mValue.integer(1)),
    ]);
    const problems = validateNode(device, p('/3/0'), instance, 'read');
    expect(summary(problems)).toEqual([
      '/3/0/6 multiplicity',
      '/3/0/9 range',
      '/3/0/11/3 range',
      '/3/0/13 type',
      '/3/0/999 unknown-resource',
    ]);
    expect(problems[3]?.message).toBe('resource /3/0/13 (Current Time): expected time, got string');
    expect(problems[1]?.message).toBe('resource /3/0/9 (Battery Level): 101 is outside 0..100');
    expect(problems[1]?.response).toBe('bad-request');
    expect(problems[4]?.response).toBe('not-found');
  });

  it('rejects non-readable resources in a read answer and non-writable ones in a write', () => {
    const reboot = Resource.single(4, LwM2mValue.string(''));
    expect(summary(validateNode(device, p('/3/0/4'), reboot, 'read'))).toEqual(['/3/0/4 not-readable']);
    const write = validateNode(
      device,
      p('/3/0'),
      ObjectInstance.of(0, [Resource.single(0, LwM2mValue.string('ACME'))]),
      'write-update',
    );
    expect(summary(write)).toEqual(['/3/0/0 not-writable']);
    expect(write[0]?.response).toBe('method-not-allowed');
    expect(validateNode(device, p('/3/0/13'), Resource.single(13, LwM2mValue.time(0)), 'write-update')).toEqual([]);
  });

  it('requires mandatory writable resources on create and replace, not on update', () => {
    const partial = ObjectInstance.of(1, [
      Resource.single(0, LwM2mValue.integer(101)),
      Resource.single(1, LwM2mValue.integer(300)),
    ]);
    const missing = ['/1/1/6 missing-mandatory', '/1/1/7 missing-mandatory'];
    expect(summary(validateNode(server, p('/1'), partial, 'create'))).toEqual(missing);
    expect(summary(validateNode(server, p('/1/1'), partial, 'create'))).toEqual(missing);
    const replace = ObjectInstance.of(1, [Resource.single(1, LwM2mValue.integer(300))]);
    expect(summary(validateNode(server, p('/1/1'), replace, 'write-replace'))).toEqual(missing);
    expect(validateNode(server, p('/1/1'), replace, 'write-update')).toEqual([]);
    const complete = ObjectInstance.of(1, [
      Resource.single(0, LwM2mValue.integer(101)),
      Resource.single(1, LwM2mValue.integer(300)),
      Resource.single(6, LwM2mValue.boolean(true)),
      Resource.single(7, LwM2mValue.string('U')),
    ]);
    // Create may give the read-only Short Server ID its initial value.
    expect(validateNode(server, p('/1'), complete, 'create')).toEqual([]);
    expect(summary(validateNode(server, p('/1/1'), complete, 'write-replace'))).toEqual(['/1/1/0 not-writable']);
    expect(validateNode(server, p('/1/1'), complete, 'bootstrap-write')).toEqual([]);
  });

  it('checks ranges even in a bootstrap write', () => {
    const instance = ObjectInstance.of(0, [Resource.single(0, LwM2mValue.integer(0))]);
    expect(summary(validateNode(server, p('/1/0'), instance, 'bootstrap-write'))).toEqual(['/1/0/0 range']);
  });

  it('checks resource instances', () => {
    const power = ResourceInstance.of(1, LwM2mValue.integer(9));
    expect(summary(validateNode(device, p('/3/0/6/1'), power, 'read'))).toEqual(['/3/0/6/1 range']);
    expect(validateNode(device, p('/3/0/6/1'), ResourceInstance.of(1, LwM2mValue.integer(7)), 'read')).toEqual([]);
    expect(summary(validateNode(device, p('/3/0/9/0'), ResourceInstance.of(0, LwM2mValue.integer(1)), 'read'))).toEqual(
      ['/3/0/9/0 multiplicity'],
    );
  });

  it('flags several instances of a single-instance object', () => {
    const node = LwM2mObject.of(3, [ObjectInstance.of(0, []), ObjectInstance.of(1, [])]);
    expect(summary(validateNode(device, p('/3'), node, 'read'))).toEqual(['/3 multiplicity']);
  });

  it('flags a node that is not where the path says', () => {
    expect(summary(validateNode(device, p('/3/1'), ObjectInstance.of(0, []), 'read'))).toEqual(['/3/1 path-mismatch']);
    expect(summary(validateNode(device, p('/4/0'), ObjectInstance.of(0, []), 'read'))).toEqual(['/4/0 path-mismatch']);
    expect(summary(validateNode(device, p('/3/0/1'), ObjectInstance.of(0, []), 'read'))).toEqual([
      '/3/0/1 path-mismatch',
    ]);
  });

  it('validates IPSO values against their ranges by version', () => {
    const reading = ObjectInstance.of(0, [
      Resource.single(5700, LwM2mValue.float(21.5)),
      Resource.single(5701, LwM2mValue.string('Cel')),
    ]);
    expect(validateNode(temperature, p('/3303/0'), reading, 'read')).toEqual([]);
    const wrongType = ObjectInstance.of(0, [Resource.single(5700, LwM2mValue.integer(21))]);
    expect(validateNode(temperature, p('/3303/0'), wrongType, 'read')[0]?.message).toBe(
      'resource /3303/0/5700 (Sensor Value): expected float, got integer',
    );
  });
});
