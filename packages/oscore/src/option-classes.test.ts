/** RFC 8613 §4.1 Figure 5 (+ RFC 8768 Hop-Limit, RFC 9175 Echo/Request-Tag): where each option goes. */
import { OptionNumber } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { mergeOptions, splitOptions } from './option-classes';

const v = (n: number) => ({ number: n, value: Uint8Array.of(n & 0xff) });
const placement = (n: number, role: 'request' | 'response') => {
  const { inner, outer } = splitOptions([v(n)], role);
  return `${inner.length ? 'E' : ''}${outer.length ? 'U' : ''}`;
};

describe('option classes', () => {
  const table: [string, number, string][] = [
    ['If-Match', OptionNumber.IF_MATCH, 'E'],
    ['Uri-Host', OptionNumber.URI_HOST, 'U'],
    ['ETag', OptionNumber.ETAG, 'E'],
    ['If-None-Match', OptionNumber.IF_NONE_MATCH, 'E'],
    ['Observe', OptionNumber.OBSERVE, 'EU'],
    ['Uri-Port', OptionNumber.URI_PORT, 'U'],
    ['Location-Path', OptionNumber.LOCATION_PATH, 'E'],
    ['Uri-Path', OptionNumber.URI_PATH, 'E'],
    ['Content-Format', OptionNumber.CONTENT_FORMAT, 'E'],
    ['Max-Age (inner; outer only as 0 on OSCORE errors)', OptionNumber.MAX_AGE, 'E'],
    ['Uri-Query', OptionNumber.URI_QUERY, 'E'],
    ['Hop-Limit (RFC 8768)', OptionNumber.HOP_LIMIT, 'U'],
    ['Accept', OptionNumber.ACCEPT, 'E'],
    ['Location-Query', OptionNumber.LOCATION_QUERY, 'E'],
    ['Block2 (application = inner block-wise)', OptionNumber.BLOCK2, 'E'],
    ['Block1', OptionNumber.BLOCK1, 'E'],
    ['Size2', OptionNumber.SIZE2, 'E'],
    ['Proxy-Scheme', OptionNumber.PROXY_SCHEME, 'U'],
    ['Size1', OptionNumber.SIZE1, 'E'],
    ['Echo (RFC 9175)', OptionNumber.ECHO, 'E'],
    ['No-Response (inner only, §4.1.3.6)', OptionNumber.NO_RESPONSE, 'E'],
    ['Request-Tag (RFC 9175)', OptionNumber.REQUEST_TAG, 'E'],
    ['unknown option 65000', 65000, 'E'],
  ];
  for (const [name, n, where] of table) {
    it(`${name}: ${where}`, () => {
      expect(placement(n, 'request')).toBe(where);
      expect(placement(n, 'response')).toBe(where);
    });
  }

  it('Observe: the request keeps its value inside, a notification has an empty Inner value', () => {
    const obs = { number: OptionNumber.OBSERVE, value: Uint8Array.of(7) };
    expect(splitOptions([obs], 'request').inner).toEqual([obs]);
    expect(splitOptions([obs], 'response').inner).toEqual([{ number: OptionNumber.OBSERVE, value: new Uint8Array(0) }]);
    expect(splitOptions([obs], 'response').outer).toEqual([obs]);
  });

  it('on receipt keeps only Class U outer options and sorts them with the inner ones', () => {
    const outer = [v(OptionNumber.URI_HOST), v(OptionNumber.OBSERVE), v(OptionNumber.OSCORE), v(OptionNumber.MAX_AGE)];
    const inner = [v(OptionNumber.OBSERVE), v(OptionNumber.URI_PATH)];
    expect(mergeOptions(outer, inner).map((o) => o.number)).toEqual([
      OptionNumber.URI_HOST,
      OptionNumber.OBSERVE,
      OptionNumber.URI_PATH,
    ]);
  });
});
