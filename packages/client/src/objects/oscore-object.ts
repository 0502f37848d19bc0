/**
 * LwM2M OSCORE object (21): the input of one OSCORE security context, linked from a Security
 * instance's /0/x/17. Like Security, it is hidden from the registration and only the bootstrap
 * server may read or write it.
 */
import { SimpleInstance } from '../enabler/simple-instance';

export interface OscoreInstanceOptions {
  /** Resource 0. */
  readonly masterSecret: Uint8Array;
  /** Resource 1 / 2. */
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  /** Resource 3: COSE AEAD algorithm (10 = AES-CCM-16-64-128). */
  readonly aeadAlgorithm?: number;
  /** Resource 4: HMAC algorithm (-10 = HKDF SHA-256). */
  readonly hmacAlgorithm?: number;
  /** Resource 5 / 6. */
  readonly masterSalt?: Uint8Array;
  readonly idContext?: Uint8Array;
}

export function oscoreInstance(o: OscoreInstanceOptions): SimpleInstance {
  return new SimpleInstance({
    values: {
      0: o.masterSecret,
      1: o.senderId,
      2: o.recipientId,
      3: o.aeadAlgorithm,
      4: o.hmacAlgorithm,
      5: o.masterSalt,
      6: o.idContext,
    },
  });
}
