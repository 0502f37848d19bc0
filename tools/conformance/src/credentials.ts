/** Test credentials, generated per run with node:crypto (nothing secret is checked in). */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';

export interface PskCredential {
  readonly identity: string;
  readonly key: Uint8Array;
}

export const psk = (identity: string): PskCredential => ({ identity, key: new Uint8Array(randomBytes(16)) });

export interface RawPublicKey {
  readonly privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo, as RFC 7250 carries it. */
  readonly spki: Uint8Array;
}

/** An EC P-256 key pair (the curve DTLS RPK and ECDSA suites use). */
export function rawPublicKey(): RawPublicKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

/** PSK lookup for a transport server: only the provisioned identities get a key. */
export const pskLookup =
  (...credentials: PskCredential[]) =>
  (identity: string): Uint8Array | undefined =>
    credentials.find((c) => c.identity === identity)?.key;
