/** CBOR -> diagnostic notation (RFC 8949 §8) for display, via cbor-x's decoder. */
import { Decoder, Tag } from 'cbor-x';

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof Decoder>[0]);

export function decodeCborValues(bytes: Uint8Array): unknown[] {
  // A payload may be a CBOR sequence (RFC 8742); show every item.
  return decoder.decodeMultiple(bytes) as unknown[];
}

export function cborDiagnostic(bytes: Uint8Array): string {
  return decodeCborValues(bytes)
    .map((v) => diagnostic(v))
    .join(', ');
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function diagnostic(value: unknown, indent = ''): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(value) || Object.is(value, -0) ? String(value) : String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array) return `h'${hex(value)}'`;
  if (value instanceof Date) return `1(${value.getTime() / 1000})`;
  if (value instanceof Tag) return `${value.tag}(${diagnostic(value.value, indent)})`;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => diagnostic(v, inner));
    const flat = `[${items.join(', ')}]`;
    return flat.length <= 72 && !flat.includes('\n')
      ? flat
      : `[\n${items.map((i) => inner + i).join(',\n')}\n${indent}]`;
  }
  if (value instanceof Map) {
    if (value.size === 0) return '{}';
    const items = [...value.entries()].map(([k, v]) => `${diagnostic(k, inner)}: ${diagnostic(v, inner)}`);
    const flat = `{${items.join(', ')}}`;
    return flat.length <= 72 && !flat.includes('\n')
      ? flat
      : `{\n${items.map((i) => inner + i).join(',\n')}\n${indent}}`;
  }
  if (value instanceof Set) return diagnostic([...value], indent);
  if (typeof value === 'object') return diagnostic(new Map(Object.entries(value as object)), indent);
  return String(value);
}
