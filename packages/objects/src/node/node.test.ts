import { describe, expect, it } from 'vitest';
import { LwM2mPath } from '../path/lwm2m-path';
import { LwM2mObject, nodePathMismatch, nodesEqual, ObjectInstance, Resource, ResourceInstance } from './node';
import { LwM2mValue, parseObjectLink } from './value';

describe('LwM2mValue', () => {
  it('keeps integers as numbers when safe and bigints beyond 2^53', () => {
    expect(LwM2mValue.integer(5).value).toBe(5);
    expect(LwM2mValue.integer(2n ** 60n).value).toBe(2n ** 60n);
    expect(LwM2mValue.integer(42n).value).toBe(42);
    expect(LwM2mValue.integer(-(2n ** 63n)).value).toBe(-(2n ** 63n));
    expect(() => LwM2mValue.integer(2n ** 63n)).toThrow(RangeError);
    expect(() => LwM2mValue.integer(1.5)).toThrow(RangeError);
    expect(LwM2mValue.unsigned(2n ** 64n - 1n).value).toBe(2n ** 64n - 1n);
    expect(() => LwM2mValue.unsigned(-1)).toThrow(RangeError);
    expect(() => LwM2mValue.unsigned(2n ** 64n)).toThrow(RangeError);
  });

  it('validates objlnk and time, and is frozen', () => {
    expect(LwM2mValue.objlnk(3, 0).value).toEqual({ objectId: 3, instanceId: 0 });
    expect(() => LwM2mValue.objlnk(65536, 0)).toThrow(RangeError);
    expect(LwM2mValue.time(new Date(1367491215500)).value).toBe(1367491215);
    expect(() => LwM2mValue.time(1.5)).toThrow(RangeError);
    const v = LwM2mValue.string('x');
    expect(Object.isFrozen(v)).toBe(true);
    expect(LwM2mValue.of('objlnk', { objectId: 1, instanceId: 2 })).toEqual(LwM2mValue.objlnk(1, 2));
    expect(parseObjectLink('65535:65535')).toEqual({ objectId: 65535, instanceId: 65535 });
    expect(parseObjectLink('65536:0')).toBeUndefined();
    expect(parseObjectLink('3:')).toBeUndefined();
  });

  it('compares structurally', () => {
    expect(
      LwM2mValue.equals(LwM2mValue.opaque(new Uint8Array([1, 2])), LwM2mValue.opaque(new Uint8Array([1, 2]))),
    ).toBe(true);
    expect(LwM2mValue.equals(LwM2mValue.opaque(new Uint8Array([1, 2])), LwM2mValue.opaque(new Uint8Array([1])))).toBe(
      false,
    );
    expect(LwM2mValue.equals(LwM2mValue.integer(1), LwM2mValue.unsigned(1))).toBe(false);
    expect(LwM2mValue.equals(LwM2mValue.float(Number.NaN), LwM2mValue.float(Number.NaN))).toBe(true);
  });
});

describe('node tree', () => {
  const device = ObjectInstance.of(0, [
    Resource.single(1, LwM2mValue.string('Lightweight M2M Client')),
    Resource.single(0, LwM2mValue.string('Open Mobile Alliance')),
    Resource.multiple(6, 'integer', [
      [1, LwM2mValue.integer(5)],
      [0, LwM2mValue.integer(1)],
    ]),
  ]);

  it('sorts children by id and is immutable', () => {
    expect([...device.resources.keys()]).toEqual([0, 1, 6]);
    const r6 = device.resources.get(6);
    expect(r6?.multiple && [...r6.instances.keys()]).toEqual([0, 1]);
    expect(Object.isFrozen(device)).toBe(true);
    expect(() => (device.resources as Map<number, Resource>).set(9, Resource.single(9, LwM2mValue.integer(1)))).toThrow(
      TypeError,
    );
    expect(() => (device.resources as Map<number, Resource>).delete(0)).toThrow(TypeError);
  });

  it('rejects duplicates, bad ids and mixed instance types', () => {
    expect(() =>
      ObjectInstance.of(0, [Resource.single(1, LwM2mValue.integer(1)), Resource.single(1, LwM2mValue.integer(2))]),
    ).toThrow('duplicate resource id 1');
    expect(() => Resource.single(65536, LwM2mValue.integer(1))).toThrow(RangeError);
    expect(() => Resource.multiple(6, 'integer', [[0, LwM2mValue.string('x')]])).toThrow(TypeError);
  });

  it('compares deeply', () => {
    const same = ObjectInstance.of(0, [...device.resources.values()].reverse());
    expect(nodesEqual(device, same)).toBe(true);
    const other = ObjectInstance.of(0, [Resource.single(0, LwM2mValue.string('Open Mobile Alliance'))]);
    expect(nodesEqual(device, other)).toBe(false);
    expect(nodesEqual(LwM2mObject.of(3, [device]), LwM2mObject.of(3, [same]))).toBe(true);
    expect(
      nodesEqual(ResourceInstance.of(0, LwM2mValue.integer(1)), ResourceInstance.of(0, LwM2mValue.integer(2))),
    ).toBe(false);
  });

  it('checks a node against its path', () => {
    expect(nodePathMismatch(LwM2mPath.parse('/3/0'), device)).toBeUndefined();
    expect(nodePathMismatch(LwM2mPath.parse('/3/1'), device)).toMatch('does not match');
    expect(nodePathMismatch(LwM2mPath.parse('/3'), device)).toMatch('cannot be addressed');
  });

  it('makes updated copies without touching the original', () => {
    const updated = ObjectInstance.withResources(device, [
      Resource.single(1, LwM2mValue.string('changed')),
      Resource.single(9, LwM2mValue.integer(80)),
    ]);
    expect([...updated.resources.keys()]).toEqual([0, 1, 6, 9]);
    expect(nodesEqual(updated.resources.get(1)!, Resource.single(1, LwM2mValue.string('changed')))).toBe(true);
    expect(device.resources.get(1)?.multiple === false && device.resources.get(1)).toMatchObject({
      value: { value: 'Lightweight M2M Client' },
    });
    expect([...ObjectInstance.withoutResources(updated, [0, 9]).resources.keys()]).toEqual([1, 6]);
    const r6 = device.resources.get(6);
    if (!r6?.multiple) throw new Error('expected multiple');
    const r6b = Resource.withInstances(r6, [
      ResourceInstance.of(1, LwM2mValue.integer(7)),
      ResourceInstance.of(2, LwM2mValue.integer(9)),
    ]);
    expect([...r6b.instances.values()].map((i) => i.value.value)).toEqual([1, 7, 9]);
    expect(() => Resource.withInstances(r6, [ResourceInstance.of(3, LwM2mValue.string('x'))])).toThrow(TypeError);
    const obj = LwM2mObject.withInstances(LwM2mObject.of(3, [device]), [ObjectInstance.of(1, [])]);
    expect([...obj.instances.keys()]).toEqual([0, 1]);
  });
});
