import { CodecError } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LwM2mPath } from '../path/lwm2m-path';
import { buildDiscoverPayload, parseDiscoverPayload } from './discover-links';
import { buildRegistrationPayload, parseRegistrationPayload } from './registration-links';

describe('registration payload', () => {
  it('builds the LwM2M 1.1 form with root link, versions and instances', () => {
    const text = buildRegistrationPayload({
      contentFormats: [110],
      objects: [
        { objectId: 3, version: '1.1', instanceIds: [0] },
        { objectId: 1, instanceIds: [0] },
        { objectId: 5, instanceIds: [] },
        { objectId: 3303, version: '1.0', instanceIds: [1, 0] },
      ],
    });
    expect(text).toBe('</>;rt="oma.lwm2m";ct=110,</1/0>,</3>;ver=1.1,</3/0>,</5>,</3303/0>,</3303/1>');
    expect(parseRegistrationPayload(text)).toEqual({
      rootPath: '/',
      contentFormats: [110],
      objects: [
        { objectId: 1, instanceIds: [0] },
        { objectId: 3, version: '1.1', instanceIds: [0] },
        { objectId: 5, instanceIds: [] },
        { objectId: 3303, instanceIds: [0, 1] },
      ],
    });
  });

  it('handles an alternate path, several content formats and no root link', () => {
    const text = buildRegistrationPayload({
      rootPath: '/lwm2m',
      contentFormats: [60, 110],
      objects: [{ objectId: 3, instanceIds: [0] }],
    });
    expect(text).toBe('</lwm2m>;rt="oma.lwm2m";ct="60 110",</lwm2m/3/0>');
    expect(parseRegistrationPayload(text)).toEqual({
      rootPath: '/lwm2m',
      contentFormats: [60, 110],
      objects: [{ objectId: 3, instanceIds: [0] }],
    });
    expect(buildRegistrationPayload({ objects: [{ objectId: 3, instanceIds: [0] }] })).toBe('</3/0>');
    expect(parseRegistrationPayload('</1/0>, </3/0>').objects).toHaveLength(2);
  });

  it('rejects bad links clearly', () => {
    expect(() => parseRegistrationPayload('</3/0/1>')).toThrow('object or object instance');
    expect(() => parseRegistrationPayload('</lwm2m>;rt="oma.lwm2m",</3/0>')).toThrow('outside the alternate path');
    expect(() => parseRegistrationPayload('</3>;ver=x')).toThrow('major.minor');
    expect(() => parseRegistrationPayload('</>;rt="oma.lwm2m";ct=abc')).toThrow('content formats');
    expect(() => parseRegistrationPayload('</3/0')).toThrow(CodecError);
    expect(() => parseRegistrationPayload('</3/70000>')).toThrow(CodecError);
    expect(() => parseRegistrationPayload('</>;rt="oma.lwm2m";ct')).toThrow('ct needs a value');
    expect(() => parseRegistrationPayload('</>;rt="oma.lwm2m";ct=""')).toThrow('content formats');
    expect(() => parseRegistrationPayload('</>;rt="oma.lwm2m";ct="60 70000"')).toThrow('content formats');
    expect(() => parseRegistrationPayload('</3>;ver')).toThrow('major.minor');
    expect(() => parseRegistrationPayload('<3/0>')).toThrow('object or object instance');
  });

  it('sorts objects and instances, merges repeated links, and reads the first ver and ct', () => {
    expect(
      parseRegistrationPayload(
        '</>;rt="oma.lwm2m";ct=" 112  60 ";ct=1,</3303/1>,</3/0>,</3303/0>,</3303/1>,</3>;ver=1.2;ver=1.1,</5>',
      ),
    ).toEqual({
      rootPath: '/',
      contentFormats: [112, 60],
      objects: [
        { objectId: 3, version: '1.2', instanceIds: [0] },
        { objectId: 5, instanceIds: [] },
        { objectId: 3303, instanceIds: [0, 1] },
      ],
    });
  });
});

describe('discover payload', () => {
  it('builds and parses every LwM2M attribute', () => {
    const links = [
      { path: LwM2mPath.parse('/3'), attributes: { ver: '1.1' } },
      { path: LwM2mPath.parse('/3/0'), attributes: { pmin: 10, pmax: 60 } },
      { path: LwM2mPath.parse('/3/0/1'), attributes: {} },
      { path: LwM2mPath.parse('/3/0/6'), attributes: { dim: 2 } },
      { path: LwM2mPath.parse('/3/0/7'), attributes: { dim: 2, gt: 50, lt: 42.2, st: 0.5, epmin: 1, epmax: 5 } },
    ];
    const text = buildDiscoverPayload(links);
    expect(text).toBe(
      '</3>;ver=1.1,</3/0>;pmin=10;pmax=60,</3/0/1>,</3/0/6>;dim=2,</3/0/7>;dim=2;gt=50;lt=42.2;st=0.5;epmin=1;epmax=5',
    );
    const parsed = parseDiscoverPayload(text);
    expect(parsed.map((l) => [l.path.toString(), l.attributes])).toEqual(
      links.map((l) => [l.path.toString(), l.attributes]),
    );
  });

  it('rejects malformed attributes and paths', () => {
    expect(() => parseDiscoverPayload('</3/0>;pmin=-1')).toThrow('pmin=-1 is not a valid integer');
    expect(() => parseDiscoverPayload('</3/0>;gt=abc')).toThrow('gt=abc is not a valid number');
    expect(() => parseDiscoverPayload('</3/0/6>;dim=300')).toThrow('out of range');
    expect(() => parseDiscoverPayload('</3/0>;pmin')).toThrow('needs a value');
    expect(() => parseDiscoverPayload('</foo>')).toThrow('not an LwM2M path');
    expect(parseDiscoverPayload('</3/0>;rt="x";pmin=1')[0]?.attributes).toEqual({ pmin: 1 });
    expect(() => buildDiscoverPayload([{ path: LwM2mPath.parse('/3/0'), attributes: { pmin: 1.5 } }])).toThrow(
      RangeError,
    );
  });
});

describe('link payload parsers on arbitrary text', () => {
  it('throw only CodecError, and round-trip what they build', () => {
    const chars = fc.constantFrom(...'</>;=",0123456789.abc rtvepminaxdimgl'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 40 }).map((a) => a.join('')),
        (text) => {
          for (const parse of [parseRegistrationPayload, parseDiscoverPayload]) {
            try {
              parse(text);
            } catch (e) {
              if (!CodecError.isInstance(e)) throw e;
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
    const objectArb = fc.record({
      objectId: fc.nat(65535),
      version: fc.option(fc.constantFrom('1.0', '1.1', '2.0'), { nil: undefined }),
      instanceIds: fc.uniqueArray(fc.nat(65535), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(objectArb, { selector: (o) => o.objectId, maxLength: 5 }), (objects) => {
        const parsed = parseRegistrationPayload(buildRegistrationPayload({ contentFormats: [110, 112], objects }));
        const expected = objects
          .map((o) => ({
            objectId: o.objectId,
            ...(o.version && o.version !== '1.0' ? { version: o.version } : {}),
            instanceIds: [...o.instanceIds].sort((a, b) => a - b),
          }))
          .sort((a, b) => a.objectId - b.objectId);
        expect(parsed.objects).toEqual(expected);
        expect(parsed.contentFormats).toEqual([110, 112]);
      }),
    );
  });
});
