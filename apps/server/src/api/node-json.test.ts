import {
  createDefaultRegistry,
  LwM2mObject,
  LwM2mPath,
  LwM2mValue,
  nodesEqual,
  ObjectInstance,
  Resource,
} from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { NodeJsonError, nodeFromJson, nodeFromText, nodeToJson, valueFromJson, valueToJson } from './node-json';

const models = createDefaultRegistry();
const modelOf = (o: number, r: number) => models.latest(o)?.resources.get(r);

describe('node JSON', () => {
  it('round-trips every value type through JSON', () => {
    const values = [
      LwM2mValue.string('héllo'),
      LwM2mValue.integer(-42),
      LwM2mValue.integer(2n ** 62n),
      LwM2mValue.unsigned(2n ** 64n - 1n),
      LwM2mValue.float(21.5),
      LwM2mValue.boolean(true),
      LwM2mValue.opaque(new Uint8Array([0, 0xab, 0xff])),
      LwM2mValue.time(1_700_000_000),
      LwM2mValue.objlnk(3, 0),
      LwM2mValue.corelnk('</3/0>'),
    ];
    for (const v of values) {
      const json = JSON.parse(JSON.stringify(valueToJson(v)));
      expect(LwM2mValue.equals(valueFromJson(v.type as never, json, 'x'), v), v.type).toBe(true);
    }
    expect(valueToJson(LwM2mValue.unsigned(2n ** 64n - 1n))).toBe('18446744073709551615');
    expect(valueToJson(LwM2mValue.opaque(new Uint8Array([1, 2])))).toBe('0102');
  });

  it('round-trips an object with single and multiple resources', () => {
    const node = LwM2mObject.of(3, [
      ObjectInstance.of(0, [
        Resource.single(0, LwM2mValue.string('ACME')),
        Resource.multiple(7, 'integer', [
          [0, LwM2mValue.integer(3800)],
          [1, LwM2mValue.integer(5000)],
        ]),
      ]),
    ]);
    const json = JSON.parse(JSON.stringify(nodeToJson(node)));
    expect(json).toEqual({
      kind: 'object',
      id: 3,
      instances: [
        {
          kind: 'object-instance',
          id: 0,
          resources: [
            { kind: 'resource', id: 0, type: 'string', value: 'ACME' },
            { kind: 'resource', id: 7, type: 'integer', multiple: true, values: { 0: 3800, 1: 5000 } },
          ],
        },
      ],
    });
    expect(nodesEqual(nodeFromJson(json, LwM2mPath.parse('/3'), modelOf), node)).toBe(true);
  });

  it('types values from the model when the body leaves types out, and ids from the path', () => {
    const node = nodeFromJson({ value: '20' }, LwM2mPath.parse('/3303/0/5700'), modelOf);
    expect(node).toMatchObject({ kind: 'resource', id: 5700, type: 'float', value: { value: 20 } });
    const instance = nodeFromJson({ resources: [{ id: 14, value: '+01:00' }] }, LwM2mPath.parse('/3/0'), modelOf);
    expect(instance).toMatchObject({ kind: 'object-instance', id: 0 });
    const multiple = nodeFromJson({ values: { 0: 1 } }, LwM2mPath.parse('/3/0/6'), modelOf);
    expect(multiple).toMatchObject({ multiple: true, type: 'integer' });
    expect(nodeFromText('true', LwM2mPath.parse('/1/0/6'), modelOf)).toMatchObject({
      value: { type: 'boolean', value: true },
    });
  });

  it('says what is wrong with a bad body', () => {
    expect(() => nodeFromJson({ value: 'warm' }, LwM2mPath.parse('/3303/0/5700'), modelOf)).toThrow(
      /expected a number/,
    );
    expect(() => nodeFromJson({ value: 1.5 }, LwM2mPath.parse('/3/0/9'), modelOf)).toThrow(/expected an integer/);
    const bad: [unknown, string][] = [
      [{ resources: 'no' }, '/3/0'],
      [{ id: 70000, resources: [] }, '/3'],
      [{ type: 'widget', value: 1 }, '/3/0/0'],
      [[], '/3/0/0'],
      [{ value: 'zz' }, '/5/0/0'],
      [{ values: { x: 1 } }, '/3/0/7'],
      [{ id: 1 }, '/3/0/0'],
    ];
    for (const [body, path] of bad) {
      expect(() => nodeFromJson(body, LwM2mPath.parse(path), modelOf), JSON.stringify(body)).toThrow(NodeJsonError);
    }
    expect(() => nodeFromText('1', LwM2mPath.parse('/3/0'), modelOf)).toThrow(/text body writes one resource/);
    expect(() => valueFromJson('objlnk', '3-0', 'x')).toThrow(/object link/);
    expect(() => valueFromJson('unsigned', -1, 'x')).toThrow(NodeJsonError);
  });
});
