import { CodecError } from '../codec-error';

/**
 * One SenML record as written on the wire (RFC 8428 section 4), with LwM2M's `vlo` (Objlnk value,
 * "objectId:instanceId"). Base fields (`bn`, `bt`, `bu`, `bv`, `bs`, `bver`) apply to this and
 * every later record until another record changes them; `resolveSenml` applies them.
 * `vd` is held as bytes; SenML JSON carries it base64url-encoded, SenML CBOR as a byte string.
 * `v` may be a bigint for 64-bit integers (SenML CBOR carries them exactly; JSON writes the digits).
 */
export interface SenmlRecord {
  readonly bn?: string;
  readonly bt?: number;
  readonly bu?: string;
  readonly bv?: number;
  readonly bs?: number;
  readonly bver?: number;
  readonly n?: string;
  readonly u?: string;
  readonly v?: number | bigint;
  readonly vs?: string;
  readonly vb?: boolean;
  readonly vd?: Uint8Array;
  readonly vlo?: string;
  readonly s?: number;
  readonly t?: number;
  readonly ut?: number;
}

/**
 * A record after base-field resolution (RFC 8428 section 4.6): `n` is the full name (bn + n),
 * `t` includes bt, `u` falls back to bu, `v`/`s` include bv/bs. Times are kept as sent (relative
 * times, below 2^28, are not turned into absolute ones: that needs a clock the codec does not have).
 */
export interface ResolvedSenmlRecord {
  readonly n: string;
  readonly t?: number;
  readonly u?: string;
  readonly v?: number | bigint;
  readonly vs?: string;
  readonly vb?: boolean;
  readonly vd?: Uint8Array;
  readonly vlo?: string;
  readonly s?: number;
  readonly ut?: number;
}

/** Labels in the order encoders write them: base fields first, as the RFC 8428 examples do. */
export const SENML_LABEL_ORDER = [
  'bn',
  'bt',
  'bu',
  'bv',
  'bs',
  'bver',
  'n',
  'u',
  'v',
  'vs',
  'vb',
  'vd',
  'vlo',
  's',
  't',
  'ut',
] as const;
const RANK: Readonly<Record<string, number>> = Object.fromEntries(SENML_LABEL_ORDER.map((label, i) => [label, i]));

/**
 * Fills `out` with the labels `record` sets, in `SENML_LABEL_ORDER`. Walks the record's own keys
 * rather than probing all 16 labels: records come in many shapes, and keyed probes on them are slow.
 */
export function presentLabels(record: SenmlRecord, out: (keyof SenmlRecord)[]): void {
  out.length = 0;
  for (const key in record) {
    if (RANK[key] === undefined || record[key as keyof SenmlRecord] === undefined) continue;
    let i = out.length;
    out.push(key as keyof SenmlRecord);
    while (i > 0 && RANK[out[i - 1]!]! > RANK[key]!) {
      out[i] = out[i - 1]!;
      i--;
    }
    out[i] = key as keyof SenmlRecord;
  }
}

/** The SenML version this implementation understands (RFC 8428: 10). */
export const SENML_VERSION = 10;

function add(base: number | undefined, value: number | bigint): number | bigint {
  if (base === undefined || base === 0) return value;
  return typeof value === 'bigint' ? value + BigInt(base) : value + base;
}

/**
 * Applies base fields to every record. Throws `CodecError` (location "record i") when a record
 * ends up with no name, carries more than one value field, or asks for a SenML version above 10.
 */
export function resolveSenml(records: readonly SenmlRecord[]): ResolvedSenmlRecord[] {
  let bn = '';
  let bt: number | undefined;
  let bu: string | undefined;
  let bv: number | undefined;
  let bs: number | undefined;
  const out: ResolvedSenmlRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const location = `record ${i}`;
    if (r.bver !== undefined && r.bver > SENML_VERSION) {
      throw new CodecError(`SenML version ${r.bver} is not supported (max ${SENML_VERSION})`, { location });
    }
    if (r.bn !== undefined) bn = r.bn;
    if (r.bt !== undefined) bt = r.bt;
    if (r.bu !== undefined) bu = r.bu;
    if (r.bv !== undefined) bv = r.bv;
    if (r.bs !== undefined) bs = r.bs;
    const n = bn + (r.n ?? '');
    if (n === '') throw new CodecError('SenML record has no name (neither bn nor n)', { location });
    let values = 0;
    const resolved: {
      -readonly [K in keyof ResolvedSenmlRecord]: ResolvedSenmlRecord[K];
    } = { n };
    if (r.t !== undefined || bt !== undefined) resolved.t = (bt ?? 0) + (r.t ?? 0);
    const u = r.u ?? bu;
    if (u !== undefined) resolved.u = u;
    if (r.v !== undefined) {
      resolved.v = add(bv, r.v);
      values++;
    }
    if (r.vs !== undefined) {
      resolved.vs = r.vs;
      values++;
    }
    if (r.vb !== undefined) {
      resolved.vb = r.vb;
      values++;
    }
    if (r.vd !== undefined) {
      resolved.vd = r.vd;
      values++;
    }
    if (r.vlo !== undefined) {
      resolved.vlo = r.vlo;
      values++;
    }
    if (values > 1) throw new CodecError(`SenML record "${n}" has more than one value field`, { location });
    if (r.s !== undefined) resolved.s = (bs ?? 0) + r.s;
    if (r.ut !== undefined) resolved.ut = r.ut;
    out.push(resolved);
  }
  return out;
}
