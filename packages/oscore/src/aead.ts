/**
 * AEAD algorithms usable by OSCORE, on node:crypto. Only AES-CCM-16-64-128 (COSE alg 10, the
 * mandatory-to-implement one, RFC 8613 §5 / RFC 8152 §10.2) is defined: 128-bit key,
 * 13-byte nonce, 8-byte tag.
 */
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { toUint8Array } from './bytes';

export interface AeadAlgorithm {
  /** COSE algorithm value, as it appears in HKDF info and aad_array. */
  readonly id: number;
  readonly name: string;
  readonly keyLength: number;
  readonly nonceLength: number;
  readonly tagLength: number;
}

export const AES_CCM_16_64_128: AeadAlgorithm = {
  id: 10,
  name: 'AES-CCM-16-64-128',
  keyLength: 16,
  nonceLength: 13,
  tagLength: 8,
};

export function aeadAlgorithm(id: number): AeadAlgorithm {
  if (id === AES_CCM_16_64_128.id) return AES_CCM_16_64_128;
  throw new RangeError(`unsupported OSCORE AEAD algorithm ${id}: only 10 (AES-CCM-16-64-128) is implemented`);
}

const cipherName = (alg: AeadAlgorithm): 'aes-128-ccm' => {
  if (alg.id !== 10) throw new RangeError(`no cipher for AEAD algorithm ${alg.id}`);
  return 'aes-128-ccm';
};

/** Ciphertext with the tag appended (COSE_Encrypt0 'ciphertext'). */
export function aeadEncrypt(
  alg: AeadAlgorithm,
  /** The key bytes, or a KeyObject made once from them (saves preparing the key per message). */
  key: Uint8Array | KeyObject,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv(cipherName(alg), key, nonce, { authTagLength: alg.tagLength });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = cipher.update(plaintext);
  cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(body.length + tag.length);
  out.set(body, 0);
  out.set(tag, body.length);
  return out;
}

/** Plaintext, or undefined when the tag does not verify (or the input is shorter than a tag). */
export function aeadDecrypt(
  alg: AeadAlgorithm,
  key: Uint8Array | KeyObject,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array | undefined {
  if (ciphertext.length < alg.tagLength) return undefined;
  const bodyLength = ciphertext.length - alg.tagLength;
  try {
    const decipher = createDecipheriv(cipherName(alg), key, nonce, { authTagLength: alg.tagLength });
    decipher.setAuthTag(ciphertext.subarray(bodyLength));
    decipher.setAAD(aad, { plaintextLength: bodyLength });
    const plain = decipher.update(ciphertext.subarray(0, bodyLength));
    decipher.final();
    return toUint8Array(plain);
  } catch {
    return undefined;
  }
}
