import { CodecError } from '../codec-error';
import { decodeBase64Url, encodeBase64Url } from './base64url';
import { presentLabels, type SenmlRecord } from './senml-record';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

type Label = keyof SenmlRecord;
const NUMBER_LABELS = new Set<string>(['bt', 'bv', 'bs', 'bver', 'v', 's', 't', 'ut']);
const STRING_LABELS = new Set<string>(['bn', 'bu', 'n', 'u', 'vs', 'vd', 'vlo']);

function jsonNumber(value: number | bigint, label: string): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isFinite(value)) throw new CodecError(`SenML JSON cannot carry ${value}`, { location: label });
  return Object.is(value, -0) ? '0' : JSON.stringify(value);
}

/** Serializes records to the compact SenML JSON text (no whitespace, fixed label order). */
export function formatSenmlJson(records: readonly SenmlRecord[]): string {
  const parts: string[] = [];
  const labels: Label[] = [];
  for (const r of records) {
    let out = '';
    presentLabels(r, labels);
    for (const label of labels) {
      const value = r[label]!;
      let text: string;
      if (label === 'vd') text = `"${encodeBase64Url(value as Uint8Array)}"`;
      else if (typeof value === 'string') text = JSON.stringify(value);
      else if (typeof value === 'boolean') text = value ? 'true' : 'false';
      else text = jsonNumber(value as number | bigint, label);
      out += `${out === '' ? '' : ','}"${label}":${text}`;
    }
    parts.push(`{${out}}`);
  }
  return `[${parts.join(',')}]`;
}

/** Encodes records as SenML JSON (application/senml+json, content format 110) bytes. */
export function encodeSenmlJson(records: readonly SenmlRecord[]): Uint8Array {
  return textEncoder.encode(formatSenmlJson(records));
}

/**
 * Decodes SenML JSON bytes (or text) into records, without resolving base fields.
 * Throws `CodecError` on invalid UTF-8 or JSON, a non-array top level, a record that is not an
 * object, a label with the wrong JSON type, or an unknown must-understand label (ending in "_").
 * Integers beyond 2^53 lose precision here (JSON.parse); use SenML CBOR to carry them exactly.
 */
export function decodeSenmlJson(payload: Uint8Array | string): SenmlRecord[] {
  let text: string;
  if (typeof payload === 'string') text = payload;
  else {
    try {
      text = textDecoder.decode(payload);
    } catch {
      throw new CodecError('SenML JSON is not valid UTF-8');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String((e as Error).message));
    throw new CodecError(`SenML JSON is not valid JSON: ${(e as Error).message}`, {
      ...(m ? { offset: Number(m[1]) } : {}),
    });
  }
  if (!Array.isArray(parsed)) throw new CodecError('SenML JSON must be an array of records');
  return parsed.map((item, i) => toRecord(item, i));
}

function toRecord(item: unknown, index: number): SenmlRecord {
  const location = `record ${index}`;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new CodecError('SenML record must be a JSON object', { location });
  }
  const record: Partial<Record<Label, unknown>> = {};
  for (const [label, value] of Object.entries(item)) {
    if (NUMBER_LABELS.has(label)) {
      if (typeof value !== 'number') throw new CodecError(`SenML label "${label}" must be a number`, { location });
      record[label as Label] = value;
    } else if (STRING_LABELS.has(label)) {
      if (typeof value !== 'string') throw new CodecError(`SenML label "${label}" must be a string`, { location });
      record[label as Label] = label === 'vd' ? decodeBase64Url(value, `${location} vd`) : value;
    } else if (label === 'vb') {
      if (typeof value !== 'boolean') throw new CodecError('SenML label "vb" must be a boolean', { location });
      record.vb = value;
    } else if (label.endsWith('_')) {
      throw new CodecError(`SenML must-understand label "${label}" is not supported`, { location });
    }
    // Other labels are extensions we may ignore (RFC 8428 section 12.2).
  }
  return record as SenmlRecord;
}
