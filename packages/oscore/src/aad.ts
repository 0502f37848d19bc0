/** RFC 8613 §5.4: external_aad and the COSE Enc_structure ("Encrypt0") used as AEAD AAD. */
import type { AeadAlgorithm } from './aead';
import { encodeCbor } from './cbor';

export const OSCORE_VERSION = 1;
const EMPTY = new Uint8Array(0);

/** aad_array = [oscore_version, [alg_aead], request_kid, request_piv, options (Class I; none defined)]. */
export function encodeAadArray(
  alg: AeadAlgorithm,
  requestKid: Uint8Array,
  requestPiv: Uint8Array,
  classIOptions: Uint8Array = EMPTY,
): Uint8Array {
  return encodeCbor([OSCORE_VERSION, [alg.id], requestKid, requestPiv, classIOptions]);
}

/** AAD = Enc_structure = ["Encrypt0", h'', external_aad] with external_aad = bstr .cbor aad_array (RFC 8152 §5.3). */
export function encodeEncStructure(aadArray: Uint8Array): Uint8Array {
  return encodeCbor(['Encrypt0', EMPTY, aadArray]);
}

/** "Encrypt0" as a CBOR text string (0x68 + 8 bytes). */
const ENCRYPT0 = Uint8Array.of(0x68, 0x45, 0x6e, 0x63, 0x72, 0x79, 0x70, 0x74, 0x30);

/**
 * The AAD of every message. Written straight into one buffer in the common case (small alg id,
 * kid and Partial IV: every CBOR head is one byte), since it runs twice per OSCORE exchange; the
 * general encoder handles the rest. Both give the same bytes (RFC 8613 Appendix C vectors).
 */
export function computeAad(alg: AeadAlgorithm, requestKid: Uint8Array, requestPiv: Uint8Array): Uint8Array {
  const arrayLength = 7 + requestKid.length + requestPiv.length;
  if (alg.id < 0 || alg.id >= 24 || requestKid.length >= 24 || requestPiv.length >= 24 || arrayLength >= 24) {
    return encodeEncStructure(encodeAadArray(alg, requestKid, requestPiv));
  }
  const out = new Uint8Array(1 + ENCRYPT0.length + 1 + 1 + arrayLength);
  let at = 0;
  out[at++] = 0x83; // ["Encrypt0", h'', external_aad]
  out.set(ENCRYPT0, at);
  at += ENCRYPT0.length;
  out[at++] = 0x40; // h''
  out[at++] = 0x40 | arrayLength; // bstr .cbor aad_array
  out[at++] = 0x85; // [oscore_version, [alg_aead], request_kid, request_piv, options]
  out[at++] = OSCORE_VERSION;
  out[at++] = 0x81;
  out[at++] = alg.id;
  out[at++] = 0x40 | requestKid.length;
  out.set(requestKid, at);
  at += requestKid.length;
  out[at++] = 0x40 | requestPiv.length;
  out.set(requestPiv, at);
  at += requestPiv.length;
  out[at] = 0x40; // no Class I options
  return out;
}
