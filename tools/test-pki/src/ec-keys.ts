import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** A fresh EC P-256 private key. */
export const newEcKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

/**
 * Writes `key` as PEM to `path`: PKCS#8 ("PRIVATE KEY") by default, or SEC1 ("EC PRIVATE KEY"),
 * the form libcoap's gnutls build reads with -M. Returns the key.
 */
export function writeEcPrivateKey(path: string, key = newEcKey(), format: 'pkcs8' | 'sec1' = 'pkcs8'): KeyObject {
  writeFileSync(path, key.export({ type: format, format: 'pem' }));
  return key;
}

/** Writes the public half of `key` as PEM SubjectPublicKeyInfo to `path`. */
export function writeEcPublicKey(path: string, key: KeyObject): void {
  writeFileSync(path, createPublicKey(key).export({ type: 'spki', format: 'pem' }));
}

export interface KeyPair {
  /** PEM PKCS#8. */
  readonly privateKey: string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

/** A fresh EC P-256 key pair as PEM private key and DER public key. */
export function ecKeyPair(): KeyPair {
  const key = newEcKey();
  return {
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spki: new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' })),
  };
}
