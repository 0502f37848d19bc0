import { describe, expect, it } from 'vitest';
import { inRange, parseRange } from './range';

describe('parseRange', () => {
  it.each([
    ['0..100', 0, 100],
    ['  0..100 \r\n', 0, 100],
    ['0-100', 0, 100],
    ['1-65535', 1, 65535],
    ['[1:4]', 1, 4],
    ['-40..85', -40, 85],
    ['-180..180', -180, 180],
    ['1...63', 1, 63],
    ['0.000001..1.0', 0.000001, 1],
    ['-100.0..100.0', -100, 100],
    ['3.8..20.5', 3.8, 20.5],
    ['0..255 bytes', 0, 255],
    ['1..64 Bytes', 1, 64],
    ['1 to 10', 1, 10],
    // Reversed in the registry (3/0/... signal strengths): same set of values.
    ['-30..-120', -120, -30],
  ])('%j is a range', (text, min, max) => {
    expect(parseRange(text)).toEqual({ kind: 'range', min, max });
  });

  it('keeps integers beyond 2^53 exact as bigint', () => {
    expect(parseRange('0..18446744073709551615')).toEqual({ kind: 'range', min: 0, max: 18446744073709551615n });
    expect(parseRange('0..9223372036854775807')).toEqual({ kind: 'range', min: 0, max: 9223372036854775807n });
    expect(parseRange('0..9007199254740991')).toEqual({ kind: 'range', min: 0, max: Number.MAX_SAFE_INTEGER });
  });

  it.each([
    ['0,1,2', [0, 1, 2]],
    ['5, 10, 15, 20', [5, 10, 15, 20]],
    ['16,32,48', [16, 32, 48]],
    ['ON;OFF', ['ON', 'OFF']],
    ['0: disabled\n1: normal\n255: non_responsive', [0, 1, 255]],
  ])('%j is an enumeration', (text, values) => {
    expect(parseRange(text)).toEqual({ kind: 'enumeration', values });
  });

  it.each([
    '8 bit',
    '16-bit',
    '8-Bits',
    '16-32-48 bytes',
    '10 or 26 Bytes',
    '32 bytes',
    '255',
    '0..3, 99',
    '0; 3.8..20.5',
    '<7 to >12.5',
    'Same as Measured Value',
    'The possible values are those listed in the LwM2M Core Specification',
  ])('%j stays text', (text) => {
    expect(parseRange(text)).toEqual({ kind: 'text', text });
  });

  it('is undefined for blank input', () => {
    expect(parseRange(undefined)).toBeUndefined();
    expect(parseRange('')).toBeUndefined();
    expect(parseRange(' \r\n\t')).toBeUndefined();
  });
});

describe('inRange', () => {
  it('compares number and bigint bounds exactly', () => {
    const u64 = { min: 0, max: 18446744073709551615n };
    expect(inRange(18446744073709551615n, u64)).toBe(true);
    expect(inRange(18446744073709551616n, u64)).toBe(false);
    expect(inRange(-1, u64)).toBe(false);
    expect(inRange(-40, { min: -40, max: 85 })).toBe(true);
    expect(inRange(85.5, { min: -40, max: 85 })).toBe(false);
  });
});
