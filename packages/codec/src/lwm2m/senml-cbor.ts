import { CodecError } from '../codec-error';
import { CborReader, type CborValue } from './cbor-reader';
import { CborWriter } from './cbor-writer';
import { presentLabels, type SenmlRecord } from './senml-record';

/** SenML CBOR integer labels (RFC 8428 table 4); LwM2M's `vlo` has none and goes as text. */
export const SENML_CBOR_LABELS = {
  bver: -1,
  bn: -2,
  bt: -3,
  bu: -4,
  bv: -5,
  bs: -6,
  n: 0,
  u: 1,
  v: 2,
  vs: 3,
  vb: 4,
  s: 5,
  t: 6,
  ut: 7,
  vd: 8,
} as const;

type Label = keyof SenmlRecord;
const BY_NUMBER = new Map<number, Label>(Object.entries(SENML_CBOR_LABELS).map(([k, v]) => [v, k as Label]));
const KIND: Record<Label, 'number' | 'string' | 'boolean' | 'bytes'> = {
  bn: 'string',
  bt: 'number',
  bu: 'string',
  bv: 'number',
  bs: 'number',
  bver: 'number',
  n: 'string',
  u: 'string',
  v: 'number',
  vs: 'string',
  vb: 'boolean',
  vd: 'bytes',
  vlo: 'string',
  s: 'number',
  t: 'number',
  ut: 'number',
};

/**
 * Encodes records as SenML CBOR (application/senml+cbor, content format 112): an array of maps
 * with integer labels, in the same label order as SenML JSON. Numbers that are safe integers go
 * out as CBOR integers; other numbers in the smallest float width that holds them exactly.
 */
export function encodeSenmlCbor(records: readonly SenmlRecord[]): Uint8Array {
  const w = new CborWriter(records.length * 24 + 16);
  w.arrayHeader(records.length);
  const labels: Label[] = [];
  for (const r of records) {
    presentLabels(r, labels);
    w.mapHeader(labels.length);
    for (const label of labels) {
      const value = r[label]!;
      if (label === 'vlo') w.text('vlo');
      else w.integer(SENML_CBOR_LABELS[label]);
      switch (typeof value) {
        case 'string':
          w.text(value);
          break;
        case 'boolean':
          w.boolean(value);
          break;
        case 'bigint':
          w.integer(value);
          break;
        case 'number':
          w.number(value);
          break;
        default:
          w.bytes(value);
      }
    }
  }
  return w.finish();
}

/**
 * Decodes SenML CBOR into records, without resolving base fields. Throws `CodecError` with the
 * byte offset on malformed CBOR, and with the record index when the structure or a label's type
 * is wrong or an unknown must-understand label (text ending in "_") appears.
 */
export function decodeSenmlCbor(payload: Uint8Array): SenmlRecord[] {
  const reader = new CborReader(payload, 'SenML CBOR');
  if (payload.length === 0) reader.fail('empty payload', 0);
  const count = reader.containerStart(4, 'an array of records');
  const records: SenmlRecord[] = [];
  for (let i = 0; count < 0 ? !reader.atBreak() : i < count; i++) {
    const at = reader.offset;
    const size = reader.containerStart(5, `record ${i} to be a map`);
    const record: Partial<Record<Label, unknown>> = {};
    for (let k = 0; size < 0 ? !reader.atBreak() : k < size; k++) {
      setLabel(record, reader.read(), reader.read(), i, at);
    }
    records.push(record as SenmlRecord);
  }
  if (!reader.done) reader.fail('trailing bytes after the records');
  return records;
}

function setLabel(
  record: Partial<Record<Label, unknown>>,
  key: CborValue,
  value: CborValue,
  index: number,
  offset: number,
): void {
  const where = { location: `record ${index}`, offset };
  let label: Label | undefined;
  if (typeof key === 'number') label = BY_NUMBER.get(key);
  else if (key === 'vlo') label = 'vlo';
  else if (typeof key === 'string' && key.endsWith('_')) {
    throw new CodecError(`SenML must-understand label "${key}" is not supported`, where);
  }
  if (label === undefined) return; // unknown extension label
  if (record[label] !== undefined) throw new CodecError(`SenML label "${label}" appears twice`, where);
  const kind = KIND[label];
  const ok =
    kind === 'number'
      ? typeof value === 'number' || (typeof value === 'bigint' && label === 'v')
      : kind === 'bytes'
        ? value instanceof Uint8Array
        : typeof value === kind;
  if (!ok) throw new CodecError(`SenML label "${label}" must be a ${kind}`, where);
  record[label] = value;
}
