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

export const computeAad = (alg: AeadAlgorithm, requestKid: Uint8Array, requestPiv: Uint8Array): Uint8Array =>
  encodeEncStructure(encodeAadArray(alg, requestKid, requestPiv));
