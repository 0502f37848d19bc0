import { describe, expect, it } from 'vitest';
import { checkRegistrationLinks, parseRegistrationLinks } from './object-links';

describe('registration payload', () => {
  it('reads root link, content formats, versions and instances', () => {
    const links = parseRegistrationLinks(
      '</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>,</3>;ver=1.1,</3/0>,</3303/1>,</3303/0>',
    );
    expect(links.rootPath).toBe('/');
    expect(links.contentFormats).toEqual([60, 110, 112, 11542, 11543]);
    expect([...links.objects]).toEqual([
      [1, { version: '1.0', instances: [0] }],
      [3, { version: '1.1', instances: [0] }],
      [3303, { version: '1.0', instances: [0, 1] }],
    ]);
  });

  it('supports an alternate root path', () => {
    const links = parseRegistrationLinks('</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>');
    expect(links.rootPath).toBe('/lwm2m');
    expect([...links.objects.keys()]).toEqual([1, 3]);
  });

  it.each([
    ['</3/0/1>', 'object or object instance path'],
    ['</a/0>', 'object or object instance path'],
    ['</70000>', 'object or object instance path'],
    ['</3>;ver=x', 'ver must be'],
    ['<3/0', 'invalid registration payload'],
    ['</lwm2m>;rt="oma.lwm2m",</3/0>', 'outside the alternate path'],
  ])('rejects %s', (text, message) => {
    expect(checkRegistrationLinks(text)).toContain(message);
  });

  it('accepts an empty payload', () => {
    expect(checkRegistrationLinks('')).toBeUndefined();
  });
});
