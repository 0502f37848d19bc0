import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import {
  filterLinks,
  getLinkAttribute,
  getLinkValues,
  type Link,
  matchesLinkQuery,
  parseLinkFormat,
  serializeLinkFormat,
} from './link-format';

describe('CoRE Link Format (RFC 6690)', () => {
  it('parses the RFC 6690 §5 examples', () => {
    const links = parseLinkFormat(
      '</sensors/temp>;rt="temperature-c";if="sensor";obs,</sensors/light>;rt="light-lux core.sen-light";if=sensor;sz=1234;title="Light \\"lux\\"",' +
        '</t>;anchor="/sensors/temp";rel="describedby"',
    );
    expect(links).toHaveLength(3);
    expect(links[0]!.href).toBe('/sensors/temp');
    expect(getLinkAttribute(links[0]!, 'obs')).toBe(true);
    expect(getLinkValues(links[1]!, 'rt')).toEqual(['light-lux', 'core.sen-light']);
    expect(getLinkAttribute(links[1]!, 'sz')).toBe('1234');
    expect(getLinkAttribute(links[1]!, 'title')).toBe('Light "lux"');
    expect(getLinkAttribute(links[2]!, 'anchor')).toBe('/sensors/temp');
  });

  it('parses a LwM2M registration payload and tolerates whitespace', () => {
    const links = parseLinkFormat('</>;rt="oma.lwm2m";ct=11543, </1/0>,\n</3/0>;ver=1.1, </3303/0>');
    expect(links.map((l) => l.href)).toEqual(['/', '/1/0', '/3/0', '/3303/0']);
    expect(getLinkAttribute(links[2]!, 'ver')).toBe('1.1');
    expect(parseLinkFormat('')).toEqual([]);
  });

  it('serializes with quoting where needed', () => {
    const text = serializeLinkFormat([
      {
        href: '/a',
        attributes: [
          { name: 'rt', value: 'x y' },
          { name: 'ct', value: '40' },
          { name: 'obs', value: true },
        ],
      },
      {
        href: '/b',
        attributes: [
          { name: 'title', value: 'say "hi" \\o/' },
          { name: 'x', value: 'a,b' },
        ],
      },
    ]);
    expect(text).toBe('</a>;rt="x y";ct=40;obs,</b>;title="say \\"hi\\" \\\\o/";x="a,b"');
    expect(parseLinkFormat(text)[1]!.attributes[0]!.value).toBe('say "hi" \\o/');
  });

  it('rejects malformed input with an offset', () => {
    for (const [bad, at] of [
      ['/a>', 0],
      ['</a', 0],
      ['</a>;', 5],
      ['</a>;rt="x', 10],
      ['</a>,', 5],
      ['</a> x', 5],
      ['</a>;rt=', 8],
    ] as const) {
      try {
        parseLinkFormat(bad);
        throw new Error(`accepted ${bad}`);
      } catch (e) {
        expect(CodecError.isInstance(e), bad).toBe(true);
        expect((e as CodecError).offset, bad).toBe(at);
      }
    }
  });

  it('filters per RFC 6690 §4.1', () => {
    const links = parseLinkFormat(
      '</sensors/temp>;rt="temperature-c sensor";if="sensor",</sensors/light>;rt=light-lux;obs,</actuators/led>;rt=led',
    );
    const hrefs = (q: string[]) => filterLinks(links, q).map((l) => l.href);
    expect(hrefs(['rt=sensor'])).toEqual(['/sensors/temp']);
    expect(hrefs(['rt=light*'])).toEqual(['/sensors/light']);
    expect(hrefs(['href=/sensors*'])).toEqual(['/sensors/temp', '/sensors/light']);
    expect(hrefs(['href=/actuators/led'])).toEqual(['/actuators/led']);
    expect(hrefs(['obs'])).toEqual(['/sensors/light']);
    expect(hrefs(['rt=*'])).toEqual(['/sensors/temp', '/sensors/light', '/actuators/led']);
    expect(hrefs(['rt=temperature-c', 'if=sensor'])).toEqual(['/sensors/temp']);
    expect(matchesLinkQuery(links[0]!, 'rt', 'temp')).toBe(false);
  });

  it('round-trips arbitrary links (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9.-]{0,6}$/);
    const attr = fc.oneof(
      fc.record({ name, value: fc.constant(true as const) }),
      fc.record({ name, value: fc.string({ maxLength: 12 }), quoted: fc.constant(true) }),
      fc.record({ name, value: fc.stringMatching(/^[a-z0-9./:*-]{1,10}$/), quoted: fc.constant(false) }),
    );
    const link = fc.record({
      href: fc.stringMatching(/^\/[a-z0-9/._-]{0,12}$/),
      attributes: fc.array(attr, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(link, { maxLength: 5 }), (links: Link[]) => {
        expect(parseLinkFormat(serializeLinkFormat(links))).toEqual(links);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but CodecError (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', ';', ',', '"', '\\', '=', 'a', ' ', '/') }), (s) => {
        try {
          parseLinkFormat(s);
        } catch (e) {
          if (!CodecError.isInstance(e)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
