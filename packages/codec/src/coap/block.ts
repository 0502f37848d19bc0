/** Block1/Block2 option values (RFC 7959 §2.2) incl. BERT (RFC 8323 §6, SZX 7). */
import { CodecError } from '../codec-error';
import { decodeUint, encodeUint } from './option-values';

export interface BlockValue {
  /** Block number, 0..2^20-1. */
  readonly num: number;
  /** More blocks follow (M bit). */
  readonly more: boolean;
  /** Size exponent 0..7: size = 2^(szx+4); 7 = BERT (1024-byte units, reliable transports only). */
  readonly szx: number;
}

export interface DecodedBlock extends BlockValue {
  /** Block size in bytes (16..1024); 1024 for BERT. */
  readonly size: number;
  /** SZX 7: BERT (RFC 8323 §6). */
  readonly bert: boolean;
}

export const MAX_BLOCK_NUM = 0xfffff;
export const BERT_SZX = 7;

/** Block size (bytes) for a SZX; 7 (BERT) counts as 1024. */
export const blockSize = (szx: number): number => (szx >= 6 ? 1024 : 1 << (szx + 4));

/** Largest SZX whose block size is <= size (size clamped to 16..1024). */
export function szxForSize(size: number): number {
  let szx = 0;
  while (szx < 6 && 1 << (szx + 5) <= size) szx++;
  return szx;
}

export function encodeBlock(block: BlockValue): Uint8Array {
  const { num, more, szx } = block;
  if (!Number.isInteger(num) || num < 0 || num > MAX_BLOCK_NUM) {
    throw new CodecError(`block number out of range: ${num}`);
  }
  if (!Number.isInteger(szx) || szx < 0 || szx > 7) throw new CodecError(`block SZX out of range: ${szx}`);
  return encodeUint(num * 16 + (more ? 8 : 0) + szx);
}

export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  if (bytes.length > 3) throw new CodecError(`block option too long: ${bytes.length} bytes (max 3)`);
  const v = decodeUint(bytes);
  const szx = v & 7;
  return { num: v >>> 4, more: (v & 8) !== 0, szx, size: blockSize(szx), bert: szx === BERT_SZX };
}
