import { describe, expect, it } from 'vitest';
import { isValidBase, resolveReference } from './uri-reference';

describe('resolveReference (RFC 3986 §5.4)', () => {
  const base = 'http://a/b/c/d;p?q';
  it.each([
    ['g:h', 'g:h'],
    ['g', 'http://a/b/c/g'],
    ['./g', 'http://a/b/c/g'],
    ['g/', 'http://a/b/c/g/'],
    ['/g', 'http://a/g'],
    ['//g', 'http://g'],
    ['?y', 'http://a/b/c/d;p?y'],
    ['g?y', 'http://a/b/c/g?y'],
    ['#s', 'http://a/b/c/d;p?q#s'],
    ['g#s', 'http://a/b/c/g#s'],
    [';x', 'http://a/b/c/;x'],
    ['', 'http://a/b/c/d;p?q'],
    ['.', 'http://a/b/c/'],
    ['./', 'http://a/b/c/'],
    ['..', 'http://a/b/'],
    ['../g', 'http://a/b/g'],
    ['../..', 'http://a/'],
    ['../../g', 'http://a/g'],
    // §5.4.2 abnormal examples
    ['../../../g', 'http://a/g'],
    ['/./g', 'http://a/g'],
    ['/../g', 'http://a/g'],
    ['g.', 'http://a/b/c/g.'],
    ['..g', 'http://a/b/c/..g'],
    ['./../g', 'http://a/b/g'],
    ['g/./h', 'http://a/b/c/g/h'],
    ['g/../h', 'http://a/b/c/h'],
    ['g;x=1/../y', 'http://a/b/c/y'],
  ])('%s -> %s', (ref, expected) => {
    expect(resolveReference(ref, base)).toBe(expected);
  });

  it('a base without path (an RD base) and IPv6 literals', () => {
    expect(resolveReference('/temp', 'coap://[2001:db8:3::123]:61616')).toBe('coap://[2001:db8:3::123]:61616/temp');
    expect(resolveReference('temp', 'coap://[2001:db8:3::123]:61616')).toBe('coap://[2001:db8:3::123]:61616/temp');
  });

  it('isValidBase: absolute, with authority, no query or fragment', () => {
    expect(isValidBase('coap://[2001:db8::1]:5683')).toBe(true);
    expect(isValidBase('coaps+tcp://example.com/dev/')).toBe(true);
    expect(isValidBase('http://h')).toBe(true);
    for (const bad of [
      '',
      '/rd',
      'coap:/x',
      'coap://',
      'coap://h?x',
      'coap://h#f',
      'coap://h h',
      `coap://${'h'.repeat(300)}`,
    ])
      expect(isValidBase(bad)).toBe(false);
  });
});
