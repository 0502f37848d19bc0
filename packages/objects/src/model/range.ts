import type { RangeSpec } from './types';

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
/** `0..100`, `1...63`, `0-100`, `-40..85`, `[1:4]`, optionally followed by a byte unit (`0..255 bytes`). */
const RANGE = new RegExp(
  String.raw`^\[?\s*(${NUMBER})\s*(?:\.{2,3}|-|:|\s+to\s+)\s*(${NUMBER})\s*\]?(?:\s*bytes?)?$`,
  'i',
);
/** `0,1,2`, `5, 10, 15, 20`, `ON;OFF`: two or more plain items, no ranges among them. */
const LIST_SEPARATOR = /\s*[,;]\s*/;
const NUMBER_ONLY = new RegExp(`^${NUMBER}$`);
const LABELLED = /^\s*(-?\d+)\s*:\s*\S.*$/;
const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Parses a DDF `<RangeEnumeration>`. Numeric ranges become `{kind:'range'}` (for String and
 * Opaque resources the bounds are lengths), lists become `{kind:'enumeration'}`, and anything
 * else (prose, single numbers whose meaning is ambiguous, mixed forms such as `0..3, 99`) is
 * kept as `{kind:'text'}` so no information is lost. Blank input gives `undefined`.
 */
export function parseRange(text: string | undefined): RangeSpec | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return undefined;

  const range = RANGE.exec(trimmed);
  if (range?.[1] !== undefined && range[2] !== undefined) {
    const a = parseBound(range[1]);
    const b = parseBound(range[2]);
    // The registry holds reversed ranges such as "-30..-120"; the set of values is the same.
    return a <= b ? { kind: 'range', min: a, max: b } : { kind: 'range', min: b, max: a };
  }

  const items = trimmed.split(LIST_SEPARATOR);
  if (items.length >= 2 && items.every((item) => NUMBER_ONLY.test(item) || WORD.test(item))) {
    return {
      kind: 'enumeration',
      values: items.map((item) => (NUMBER_ONLY.test(item) ? parseBound(item) : item)).map(toEnumValue),
    };
  }

  // One "value: label" per line ("0: disabled\n1: normal") enumerates the values.
  const lines = trimmed.split('\n');
  if (lines.length >= 2 && lines.every((line) => LABELLED.test(line))) {
    return { kind: 'enumeration', values: lines.map((line) => Number(LABELLED.exec(line)?.[1])) };
  }

  return { kind: 'text', text: trimmed };
}

/** Integers beyond 2^53 become bigint so `0..18446744073709551615` stays exact. */
function parseBound(text: string): number | bigint {
  if (/^[+-]?\d+$/.test(text)) {
    const value = BigInt(text);
    return value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER) ? value : Number(value);
  }
  return Number(text);
}

function toEnumValue(value: number | bigint | string): number | string {
  // Enumerations in the registry are small; a huge integer is kept as its exact text.
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Whether a number/bigint lies in a `{kind:'range'}`, comparing exactly across number and bigint. */
export function inRange(value: number | bigint, range: { min: number | bigint; max: number | bigint }): boolean {
  return value >= range.min && value <= range.max;
}
