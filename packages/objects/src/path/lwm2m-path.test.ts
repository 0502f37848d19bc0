import { CodecError } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LwM2mPath } from './lwm2m-path';

describe('LwM2mPath', () => {
  it('parses every level', () => {
    expect(LwM2mPath.parse('/').level).toBe('root');
    expect(LwM2mPath.parse('/3').level).toBe('object');
    expect(LwM2mPath.parse('/3/0').level).toBe('object-instance');
    const r = LwM2mPath.parse('/3/0/1');
    expect([r.level, r.objectId, r.objectInstanceId, r.resourceId]).toEqual(['resource', 3, 0, 1]);
    const ri = LwM2mPath.parse('3/0/6/1');
    expect(ri.level).toBe('resource-instance');
    expect(ri.resourceInstanceId).toBe(1);
    expect(ri.toString()).toBe('/3/0/6/1');
    expect(LwM2mPath.parse('/65535/65535/65535/65535').ids).toEqual([65535, 65535, 65535, 65535]);
  });

  it.each([
    ['/3//1', 'segment 2 is empty'],
    ['/3/0/', 'segment 3 is empty'],
    ['//', 'empty'],
    ['/3/a', '"a" is not a decimal id'],
    ['/3/-1', 'not a decimal id'],
    ['/3/ 1', 'not a decimal id'],
    ['/3/01', 'leading zero'],
    ['/65536', 'out of range 0..65535'],
    ['/3/99999999999999999999', 'out of range'],
    ['/1/2/3/4/5', 'more than 4 segments'],
  ])('rejects %s clearly', (text, message) => {
    expect(() => LwM2mPath.parse(text)).toThrow(CodecError);
    expect(() => LwM2mPath.parse(text)).toThrow(message);
    expect(LwM2mPath.tryParse(text)).toBeUndefined();
  });

  it('builds, navigates and compares', () => {
    const p = LwM2mPath.of(3, 0, 6);
    expect(p.parent().toString()).toBe('/3/0');
    expect(p.child(1).toString()).toBe('/3/0/6/1');
    expect(LwM2mPath.ROOT.parent()).toBe(LwM2mPath.ROOT);
    expect(LwM2mPath.of(3).contains(p)).toBe(true);
    expect(p.contains(LwM2mPath.of(3))).toBe(false);
    expect(LwM2mPath.ROOT.contains(p)).toBe(true);
    expect(p.equals(LwM2mPath.parse('/3/0/6'))).toBe(true);
    expect(p.equals(LwM2mPath.parse('/3/0'))).toBe(false);
    const sorted = ['/4', '/3/1', '/3/0/1', '/3', '/3/0', '/10'].map(LwM2mPath.parse).sort((a, b) => a.compareTo(b));
    expect(sorted.map(String)).toEqual(['/3', '/3/0', '/3/0/1', '/3/1', '/4', '/10']);
    expect(() => LwM2mPath.of(70000)).toThrow(RangeError);
    expect(() => LwM2mPath.of(1, 2, 3, 4, 5)).toThrow(RangeError);
    expect(JSON.stringify({ p })).toBe('{"p":"/3/0/6"}');
  });

  it('round-trips through text and never throws anything but CodecError', () => {
    const id = fc.integer({ min: 0, max: 65535 });
    fc.assert(
      fc.property(fc.array(id, { maxLength: 4 }), (ids) => {
        const p = LwM2mPath.of(...ids);
        expect(LwM2mPath.parse(p.toString()).equals(p)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        try {
          LwM2mPath.parse(text);
        } catch (e) {
          expect(CodecError.isInstance(e)).toBe(true);
        }
      }),
    );
  });
});

describe('LwM2mPath equality of representation', () => {
  it('parse and of build structurally equal paths (safe for toEqual and structuredClone)', () => {
    expect(LwM2mPath.parse('/3/0/1')).toEqual(LwM2mPath.of(3, 0, 1));
    expect(LwM2mPath.parse('3/0')).toEqual(LwM2mPath.parse('/3/0'));
    expect(LwM2mPath.parse('/')).toEqual(LwM2mPath.of());
    expect(LwM2mPath.ROOT.child(3).child(0)).toEqual(LwM2mPath.parse('/3/0'));
    expect(LwM2mPath.ROOT.child(3).child(0).toString()).toBe('/3/0');
    expect(() => LwM2mPath.parse('/3/0/6/1').child(0)).toThrow(RangeError);
    expect(() => LwM2mPath.parse('/3/0').child(65536)).toThrow('resource id must be an integer in 0..65535');
  });
});
