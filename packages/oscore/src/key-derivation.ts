/** RFC 8613 §3.2.1: Sender Key, Recipient Key and Common IV from the input parameters with HKDF-SHA-256. */
import { hkdfSync } from 'node:crypto';
import type { AeadAlgorithm } from './aead';
import { encodeCbor } from './cbor';

const EMPTY = new Uint8Array(0);

/** info = [id, id_context / nil, alg_aead, type, L] (§3.2.1). */
export function encodeHkdfInfo(
  id: Uint8Array,
  idContext: Uint8Array | undefined,
  alg: AeadAlgorithm,
  type: 'Key' | 'IV',
  length: number,
): Uint8Array {
  return encodeCbor([id, idContext ?? null, alg.id, type, length]);
}

export function hkdfSha256(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

export interface DerivedKeys {
  readonly senderKey: Uint8Array;
  readonly recipientKey: Uint8Array;
  readonly commonIv: Uint8Array;
}

export function deriveKeys(params: {
  masterSecret: Uint8Array;
  masterSalt?: Uint8Array;
  senderId: Uint8Array;
  recipientId: Uint8Array;
  idContext?: Uint8Array;
  alg: AeadAlgorithm;
}): DerivedKeys {
  const { masterSecret, senderId, recipientId, idContext, alg } = params;
  const salt = params.masterSalt ?? EMPTY;
  return {
    senderKey: hkdfSha256(
      salt,
      masterSecret,
      encodeHkdfInfo(senderId, idContext, alg, 'Key', alg.keyLength),
      alg.keyLength,
    ),
    recipientKey: hkdfSha256(
      salt,
      masterSecret,
      encodeHkdfInfo(recipientId, idContext, alg, 'Key', alg.keyLength),
      alg.keyLength,
    ),
    commonIv: hkdfSha256(
      salt,
      masterSecret,
      encodeHkdfInfo(EMPTY, idContext, alg, 'IV', alg.nonceLength),
      alg.nonceLength,
    ),
  };
}
