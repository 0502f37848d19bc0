/** RFC 8613 §5.2 AEAD nonce: S | pad | ID_PIV | pad | PIV (5 bytes), XOR Common IV. */

export const MAX_PARTIAL_IV_LENGTH = 5;

export function computeNonce(commonIv: Uint8Array, idPiv: Uint8Array, partialIv: Uint8Array): Uint8Array {
  const n = commonIv.length;
  const idRoom = n - 6;
  if (idPiv.length > idRoom) throw new RangeError(`ID_PIV of ${idPiv.length} bytes does not fit a ${n}-byte nonce`);
  if (partialIv.length > MAX_PARTIAL_IV_LENGTH) throw new RangeError(`Partial IV longer than 5 bytes`);
  const nonce = new Uint8Array(n);
  nonce[0] = idPiv.length;
  nonce.set(idPiv, 1 + idRoom - idPiv.length);
  nonce.set(partialIv, n - partialIv.length);
  for (let i = 0; i < n; i++) nonce[i]! ^= commonIv[i]!;
  return nonce;
}

/** Sender Sequence Number -> Partial IV bytes: big-endian, no leading zeros, 0 -> 0x00 (§5). */
export function encodePartialIv(seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= 2 ** 40)
    throw new RangeError(`sequence number ${seq} out of range`);
  let len = 1;
  for (let v = Math.floor(seq / 256); v > 0; v = Math.floor(v / 256)) len++;
  const out = new Uint8Array(len);
  for (let i = len - 1, v = seq; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

export function decodePartialIv(piv: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < piv.length; i++) v = v * 256 + piv[i]!;
  return v;
}
