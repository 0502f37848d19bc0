/** What crosses Redis between nodes is checked on the way in: malformed entries are refused, never thrown. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent } from './event-fanout';
import { parseRequest, parseResponse } from './http-forwarding';

describe('forwarded requests', () => {
  it('accepts a well-formed request and keeps only the passed headers', () => {
    const json = JSON.stringify({
      method: 'PUT',
      url: '/api/clients/dev/3/0/15',
      headers: { 'content-type': 'text/plain', cookie: 'x', authorization: 'Bearer t' },
      body: 'Europe/Paris',
    });
    expect(parseRequest(json)).toEqual({
      method: 'PUT',
      url: '/api/clients/dev/3/0/15',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
      body: 'Europe/Paris',
    });
  });

  it('refuses what is not a client request', () => {
    for (const bad of [
      '',
      'not json',
      'null',
      '[]',
      '{"method":"GET","url":"/api/security/clients","headers":{}}',
      '{"method":"CONNECT","url":"/api/clients/x","headers":{}}',
      '{"method":"GET","url":"/api/clients/x"}',
      '{"method":"POST","url":"/api/clients/x/3/0/4","headers":{},"body":{"a":1}}',
      '{"method":7,"url":"/api/clients/x","headers":{}}',
    ]) {
      expect(parseRequest(bad)).toBeUndefined();
    }
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        parseRequest(text);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a malformed answer with a clear error', () => {
    expect(parseResponse('{"status":200,"body":"{}"}')).toEqual({ status: 200, body: '{}' });
    expect(() => parseResponse('{"status":"200","body":""}')).toThrow(/malformed answer/);
    expect(() => parseResponse('{"status":200}')).toThrow(/malformed answer/);
    expect(() => parseResponse('null')).toThrow();
  });
});

describe('event stream entries', () => {
  it('takes event objects and skips anything else', () => {
    expect(parseEvent('{"type":"awake","endpoint":"a"}')).toEqual({ type: 'awake', endpoint: 'a' });
    for (const bad of [undefined, '', '{', '1', '"x"', 'null', '{"type":"awake"}', '{"endpoint":"a"}', '[1]']) {
      expect(parseEvent(bad)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        parseEvent(text);
      }),
      { numRuns: 300 },
    );
  });
});
