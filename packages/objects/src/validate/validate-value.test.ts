import { describe, expect, it } from 'vitest';
import type { RangeSpec, ResourceModel, ResourceType } from '../model/types';
import { LwM2mValue } from '../node/value';
import { validateValue } from './validate-value';

const model = (type: ResourceType, range?: RangeSpec): ResourceModel => ({
  id: 1,
  name: 'R',
  operations: { read: true, write: true, execute: false },
  multiple: false,
  mandatory: false,
  type,
  ...(range ? { range } : {}),
  description: '',
});

describe('validateValue', () => {
  it('accepts a value of the resource type without a range', () => {
    expect(validateValue(model('string'), LwM2mValue.string('x'))).toBeUndefined();
    expect(validateValue(model('objlnk'), LwM2mValue.objlnk(3, 0))).toBeUndefined();
  });

  it('rejects another type, and any value on an executable resource', () => {
    expect(validateValue(model('time'), LwM2mValue.string('x'))).toEqual({
      code: 'type',
      message: 'expected time, got string',
    });
    expect(validateValue(model('integer'), LwM2mValue.unsigned(1))).toMatchObject({ code: 'type' });
    expect(validateValue(model('none'), LwM2mValue.string(''))).toMatchObject({ code: 'type' });
  });

  it('checks numeric ranges for integer, unsigned, float and time', () => {
    const percent = model('integer', { kind: 'range', min: 0, max: 100 });
    expect(validateValue(percent, LwM2mValue.integer(100))).toBeUndefined();
    expect(validateValue(percent, LwM2mValue.integer(101))).toEqual({
      code: 'range',
      message: '101 is outside 0..100',
    });
    expect(validateValue(percent, LwM2mValue.integer(-1))).toMatchObject({ code: 'range' });
    const temperature = model('float', { kind: 'range', min: -40, max: 85 });
    expect(validateValue(temperature, LwM2mValue.float(-40.5))).toMatchObject({ code: 'range' });
    expect(validateValue(temperature, LwM2mValue.float(21.5))).toBeUndefined();
    const u64 = model('unsigned', { kind: 'range', min: 0, max: 18446744073709551615n });
    expect(validateValue(u64, LwM2mValue.unsigned(18446744073709551615n))).toBeUndefined();
    const small = model('unsigned', { kind: 'range', min: 0, max: 255 });
    expect(validateValue(small, LwM2mValue.unsigned(2n ** 60n))).toMatchObject({ code: 'range' });
    expect(validateValue(model('time', { kind: 'range', min: 0, max: 10 }), LwM2mValue.time(11))).toMatchObject({
      code: 'range',
    });
  });

  it('checks byte length for String and Opaque', () => {
    const uri = model('string', { kind: 'range', min: 0, max: 4 });
    expect(validateValue(uri, LwM2mValue.string('abcd'))).toBeUndefined();
    // "é" is two UTF-8 bytes.
    expect(validateValue(uri, LwM2mValue.string('abcé'))).toEqual({
      code: 'range',
      message: 'length 5 bytes is outside 0..4',
    });
    const key = model('opaque', { kind: 'range', min: 1, max: 2 });
    expect(validateValue(key, LwM2mValue.opaque(new Uint8Array(0)))).toMatchObject({ code: 'range' });
    expect(validateValue(key, LwM2mValue.opaque(new Uint8Array(2)))).toBeUndefined();
  });

  it('checks enumerations', () => {
    const numbers = model('integer', { kind: 'enumeration', values: [16, 32, 48] });
    expect(validateValue(numbers, LwM2mValue.integer(32))).toBeUndefined();
    expect(validateValue(numbers, LwM2mValue.integer(33))).toEqual({
      code: 'range',
      message: '33 is not one of 16, 32, 48',
    });
    const words = model('string', { kind: 'enumeration', values: ['ON', 'OFF'] });
    expect(validateValue(words, LwM2mValue.string('OFF'))).toBeUndefined();
    expect(validateValue(words, LwM2mValue.string('off'))).toMatchObject({ code: 'range' });
  });

  it('does not judge free-text ranges or ranges on booleans', () => {
    expect(validateValue(model('integer', { kind: 'text', text: '8 bit' }), LwM2mValue.integer(999))).toBeUndefined();
    expect(
      validateValue(model('boolean', { kind: 'range', min: 0, max: 1 }), LwM2mValue.boolean(true)),
    ).toBeUndefined();
  });
});
