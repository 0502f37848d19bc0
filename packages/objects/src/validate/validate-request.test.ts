import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../model/default-registry';
import { LwM2mPath } from '../path/lwm2m-path';
import { type PathOperation, validateRequest } from './validate-request';

const device = createDefaultRegistry().get(3, '1.2');
if (device === undefined) throw new Error('no embedded Device 1.2');
const check = (operation: PathOperation, path: string) =>
  validateRequest(device, LwM2mPath.parse(path), operation)?.code;

describe('validateRequest', () => {
  it.each([
    ['read', '/3', undefined],
    ['read', '/3/0', undefined],
    ['read', '/3/0/0', undefined],
    ['observe', '/3/0/9', undefined],
    ['read', '/3/0/4', 'not-readable'],
    ['read', '/3/0/6/0', undefined],
    ['read', '/3/0/9/0', 'multiplicity'],
    ['read', '/3/0/999', 'unknown-resource'],
    ['write', '/3/0/13', undefined],
    ['write', '/3/0', undefined],
    ['write', '/3', 'wrong-level'],
    ['write', '/3/0/0', 'not-writable'],
    ['execute', '/3/0/4', undefined],
    ['execute', '/3/0/13', 'not-executable'],
    ['execute', '/3/0', 'wrong-level'],
    ['execute', '/3/0/6/0', 'wrong-level'],
    ['create', '/3', undefined],
    ['create', '/3/0', 'wrong-level'],
    ['read', '/4/0', 'path-mismatch'],
  ] as const)('%s %s -> %s', (operation, path, code) => {
    expect(check(operation, path)).toBe(code);
  });

  it('says which resource and why', () => {
    const found = validateRequest(device, LwM2mPath.parse('/3/0/13'), 'execute');
    expect(found).toMatchObject({
      message: 'resource /3/0/13 (Current Time): is not executable',
      response: 'method-not-allowed',
    });
    expect(found?.path.toString()).toBe('/3/0/13');
  });
});
