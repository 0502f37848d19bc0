import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { createMessage } from './message';
import { OptionNumber } from './option-numbers';
import { getStringOption, getUriPath, getUriQuery } from './options';
import { type CoapScheme, formatCoapUri, optionsToUri, parseCoapUri, uriToOptions, webSocketUrl } from './uri';

describe('CoAP URIs (RFC 7252 §6.4/§6.5, RFC 8323 §8)', () => {
  it('decomposes with default ports, percent-decoding and lower-cased host', () => {
    expect(parseCoapUri('coap://Example.COM/~sensors/temp.xml')).toEqual({
      scheme: 'coap',
      host: 'example.com',
      port: 5683,
      path: ['~sensors', 'temp.xml'],
      query: [],
    });
    expect(parseCoapUri('coaps://[2001:DB8::1]:61616/%7Esensors/a%2Fb?ep=dev%201&lt=300')).toEqual({
      scheme: 'coaps',
      host: '2001:db8::1',
      port: 61616,
      path: ['~sensors', 'a/b'],
      query: ['ep=dev 1', 'lt=300'],
    });
    expect(parseCoapUri('coap+tcp://h').port).toBe(5683);
    expect(parseCoapUri('coaps+tcp://h').port).toBe(5684);
    expect(parseCoapUri('coap+ws://h/x').port).toBe(80);
    expect(parseCoapUri('coaps+ws://h/x').port).toBe(443);
    expect(parseCoapUri('coap://h:/').port).toBe(5683);
    expect(parseCoapUri('coap://h/').path).toEqual([]);
    expect(parseCoapUri('coap://h/a/').path).toEqual(['a', '']);
  });

  it('rejects fragments, bad ports, other schemes and bad percent-encoding', () => {
    for (const bad of [
      'coap://h/a#frag',
      'coap://h:65536/',
      'coap://h:x/',
      'http://h/',
      'coap:/a',
      'coap://h/%zz',
      'coap://h/%ff',
      'coap://u@h/',
      'coap:///a',
      'coap://h/a b',
      'coap://[::1/',
    ]) {
      expect(() => parseCoapUri(bad), bad).toThrow(CodecError);
    }
  });

  it('composes with brackets, percent-encoding and no default port', () => {
    expect(formatCoapUri({ scheme: 'coap', host: '::1', port: 5683, path: ['a b', 'c/d'], query: ['x=1&2'] })).toBe(
      'coap://[::1]/a%20b/c%2Fd?x=1%262',
    );
    expect(formatCoapUri({ scheme: 'coaps', host: 'h', port: 5683 })).toBe('coaps://h:5683/');
  });

  it('maps URIs to options and back (§6.4 step 5: no Uri-Host for IP literals)', () => {
    const opts = uriToOptions('coap://server.example/rd?ep=node1&b=U');
    expect(getStringOption({ options: opts }, OptionNumber.URI_HOST)).toBe('server.example');
    const msg = createMessage({ code: 2, options: opts });
    expect(getUriPath(msg)).toEqual(['rd']);
    expect(getUriQuery(msg)).toEqual(['ep=node1', 'b=U']);
    expect(uriToOptions('coap://127.0.0.1/rd').map((o) => o.number)).toEqual([OptionNumber.URI_PATH]);
    expect(uriToOptions('coap://[::1]:1234/', { destinationPort: 5683 }).map((o) => o.number)).toEqual([
      OptionNumber.URI_PORT,
    ]);
    expect(optionsToUri(msg, { scheme: 'coap', host: '10.0.0.1' })).toBe('coap://server.example/rd?ep=node1&b=U');
  });

  it('gives the WebSocket endpoint URL for coap+ws', () => {
    expect(webSocketUrl('coap+ws://example.org/sensors/temperature?u=Cel')).toBe('ws://example.org/.well-known/coap');
    expect(webSocketUrl('coaps+ws://[::1]:8443/x')).toBe('wss://[::1]:8443/.well-known/coap');
    expect(() => webSocketUrl('coap://h/')).toThrow(CodecError);
  });

  it('round-trips arbitrary URIs (property)', () => {
    const scheme = fc.constantFrom<CoapScheme>('coap', 'coaps', 'coap+tcp', 'coaps+tcp', 'coap+ws', 'coaps+ws');
    const host = fc.oneof(
      fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
      fc.ipV4(),
      fc.ipV6().map((h) => h.toLowerCase()),
      fc.string({ minLength: 1, maxLength: 10 }).filter((h) => !h.includes(':') && h === h.toLowerCase()),
    );
    const parts = fc
      .record({
        scheme,
        host,
        port: fc.integer({ min: 0, max: 65535 }),
        path: fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 5 }),
        query: fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 4 }),
      })
      .filter((p) => !(p.path.length === 1 && p.path[0] === ''));
    fc.assert(
      fc.property(parts, (p) => {
        const back = parseCoapUri(formatCoapUri(p));
        expect(back).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but CodecError on arbitrary strings (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `coap://${s}`),
        ),
        (s) => {
          try {
            parseCoapUri(s);
          } catch (e) {
            if (!CodecError.isInstance(e)) throw e;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('CoAP URI edge cases', () => {
  it('handles a query without a path and Uri-Host given as an IP literal', () => {
    expect(parseCoapUri('coap://h?x=1')).toMatchObject({ path: [], query: ['x=1'] });
    expect(parseCoapUri('coap://[fe80::1%25eth0]:7/').host).toBe('fe80::1%eth0');
    expect(formatCoapUri({ scheme: 'coap', host: 'fe80::1%eth0', port: 7 })).toBe('coap://[fe80::1%25eth0]:7/');
    const options = [{ number: OptionNumber.URI_HOST, value: new TextEncoder().encode('[::1]') }];
    expect(optionsToUri(options, { scheme: 'coap', host: 'x' })).toBe('coap://[::1]/');
  });
});
