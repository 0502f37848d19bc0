/** RFC 8613 §6.1: the compressed COSE header carried in the OSCORE option value. */
import { OscoreError } from './oscore-error';

export interface OscoreOptionValue {
  /** Partial IV bytes (1..5), absent when n = 0. */
  readonly partialIv?: Uint8Array;
  /** 'kid context' (ID Context), present when h = 1. */
  readonly kidContext?: Uint8Array;
  /** 'kid' (the sender's Sender ID), present when k = 1. May be empty. */
  readonly kid?: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const FLAG_K = 0x08;
const FLAG_H = 0x10;
const RESERVED = 0xe0;

/** Encodes the option value; all fields absent gives the empty value (no flags byte). */
export function encodeOscoreOption(v: OscoreOptionValue): Uint8Array {
  const piv = v.partialIv;
  if (piv && (piv.length < 1 || piv.length > 5))
    throw new RangeError(`Partial IV must be 1..5 bytes, got ${piv.length}`);
  if (v.kidContext && v.kidContext.length > 255) throw new RangeError('kid context longer than 255 bytes');
  const n = piv?.length ?? 0;
  // Shared: the empty value of nearly every response (never written to; messages are immutable).
  if (n === 0 && !v.kid && !v.kidContext) return EMPTY;
  const size = 1 + n + (v.kidContext ? 1 + v.kidContext.length : 0) + (v.kid?.length ?? 0);
  const out = new Uint8Array(size);
  out[0] = n | (v.kid ? FLAG_K : 0) | (v.kidContext ? FLAG_H : 0);
  let o = 1;
  if (piv) {
    out.set(piv, o);
    o += n;
  }
  if (v.kidContext) {
    out[o++] = v.kidContext.length;
    out.set(v.kidContext, o);
    o += v.kidContext.length;
  }
  if (v.kid) out.set(v.kid, o);
  return out;
}

/** Decodes the option value; throws OscoreError('decode-failed') (4.02) when malformed. */
export function decodeOscoreOption(value: Uint8Array): OscoreOptionValue {
  if (value.length === 0) return {};
  const flags = value[0]!;
  if (flags & RESERVED) throw new OscoreError('decode-failed', 'OSCORE option: reserved flag bits set');
  const n = flags & 0x07;
  if (n > 5) throw new OscoreError('decode-failed', `OSCORE option: reserved Partial IV length ${n}`);
  // A lone 0x00 should have been sent as the empty value (§2); tolerated, trailing bytes are not.
  let o = 1;
  if (o + n > value.length) throw new OscoreError('decode-failed', 'OSCORE option: truncated Partial IV');
  const partialIv = n > 0 ? value.slice(o, o + n) : undefined;
  o += n;
  let kidContext: Uint8Array | undefined;
  if (flags & FLAG_H) {
    if (o >= value.length) throw new OscoreError('decode-failed', "OSCORE option: missing 'kid context' length");
    const s = value[o++]!;
    if (o + s > value.length) throw new OscoreError('decode-failed', "OSCORE option: truncated 'kid context'");
    kidContext = value.slice(o, o + s);
    o += s;
  }
  let kid: Uint8Array | undefined;
  if (flags & FLAG_K) kid = value.slice(o);
  else if (o !== value.length) throw new OscoreError('decode-failed', 'OSCORE option: trailing bytes without kid flag');
  const out: { partialIv?: Uint8Array; kidContext?: Uint8Array; kid?: Uint8Array } = {};
  if (partialIv) out.partialIv = partialIv;
  if (kidContext) out.kidContext = kidContext;
  if (kid) out.kid = kid;
  return out;
}
