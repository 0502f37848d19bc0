import { createPublicKey, type KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { AlertDescription } from '../constants';
import { HandshakeFailure } from './handshake-failure';

/** Signs `data` with ECDSA P-256 / SHA-256, DER signature (TLS digitally-signed). */
export const ecdsaSign = (key: KeyObject, data: Buffer): Buffer => sign('sha256', data, key);

export function ecdsaVerify(publicKey: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify('sha256', data, publicKey, signature);
  } catch {
    return false;
  }
}

export function requireP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new HandshakeFailure(AlertDescription.unsupportedCertificate, `${what} is not an EC P-256 key`);
  }
}

/** Public key of a raw-public-key peer (DER SubjectPublicKeyInfo). */
export function publicKeyFromSpki(spki: Buffer): KeyObject {
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    requireP256(key, 'raw public key');
    return key;
  } catch (e) {
    if (e instanceof HandshakeFailure) throw e;
    throw new HandshakeFailure(AlertDescription.badCertificate, 'malformed raw public key');
  }
}

const MAX_CHAIN = 8;

/**
 * Validates a peer chain (leaf first) against a trust store: each link issued and signed by the next, every
 * certificate within its validity period, and the top either trusted itself or signed by a trusted certificate.
 * Returns the leaf. Throws HandshakeFailure with the alert to send.
 */
export function validateChain(
  chainDer: Buffer[],
  trusted: readonly X509Certificate[],
  nowMs: number,
  hostname?: string,
): X509Certificate {
  if (chainDer.length === 0) throw new HandshakeFailure(AlertDescription.badCertificate, 'empty certificate chain');
  if (chainDer.length > MAX_CHAIN)
    throw new HandshakeFailure(AlertDescription.badCertificate, 'certificate chain too long');
  let chain: X509Certificate[];
  try {
    chain = chainDer.map((d) => new X509Certificate(d));
  } catch {
    throw new HandshakeFailure(AlertDescription.badCertificate, 'malformed certificate');
  }
  for (const c of chain) {
    if (Date.parse(c.validFrom) > nowMs || Date.parse(c.validTo) < nowMs) {
      throw new HandshakeFailure(
        AlertDescription.certificateExpired,
        `certificate ${c.subject} is outside its validity`,
      );
    }
  }
  const leaf = chain[0]!;
  requireP256(leaf.publicKey, 'certificate key');
  if (hostname && !(isIP(hostname) ? leaf.checkIP(hostname) : leaf.checkHost(hostname))) {
    throw new HandshakeFailure(AlertDescription.badCertificate, `certificate does not match ${hostname}`);
  }
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (trusted.some((t) => t.fingerprint256 === cert.fingerprint256)) return leaf;
    const anchor = trusted.find((t) => cert.checkIssued(t) && safeVerify(cert, t));
    if (anchor) return leaf;
    const next = chain[i + 1];
    if (!next?.ca || !cert.checkIssued(next) || !safeVerify(cert, next)) break;
  }
  throw new HandshakeFailure(AlertDescription.unknownCa, 'certificate chain does not lead to a trusted certificate');
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** PEM (one or many certificates) or DER to DER buffers. */
export function certificatesToDer(input: string | Uint8Array | readonly (string | Uint8Array)[]): Buffer[] {
  const items = Array.isArray(input) ? input : [input];
  const out: Buffer[] = [];
  for (const item of items as (string | Uint8Array)[]) {
    const text = typeof item === 'string' ? item : Buffer.from(item).toString('latin1');
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (pems) for (const p of pems) out.push(Buffer.from(new X509Certificate(p).raw));
    else if (typeof item !== 'string') out.push(Buffer.from(new X509Certificate(Buffer.from(item)).raw));
    else throw new Error('certificate string is not PEM');
  }
  return out;
}
