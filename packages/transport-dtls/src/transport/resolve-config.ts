import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { CIPHER_SUITES, suitesByName } from '../crypto/cipher-suites';
import { RandomPool } from '../crypto/random-pool';
import { certificatesToDer, requireP256 } from '../handshake/credentials';
import type { HandshakeConfig } from '../handshake/handshake-config';
import { toBuffer } from '../wire/bytes';
import type { DtlsAnyOptions, KeyInput } from './options';

function toPrivateKey(k: KeyInput): KeyObject {
  if (typeof k === 'string') return createPrivateKey(k);
  if (k instanceof Uint8Array) return createPrivateKey({ key: Buffer.from(k), format: 'der', type: 'pkcs8' });
  return k;
}

export interface ResolvedTiming {
  mtu: number;
  retransmitInitialMs: number;
  retransmitMaxMs: number;
  handshakeTimeoutMs: number;
}

/** Validates options once and turns them into the internal handshake config. Throws on unusable credentials. */
export function resolveConfig(
  options: DtlsAnyOptions,
  role: 'server' | 'client',
): { config: HandshakeConfig; timing: ResolvedTiming } {
  const randomFn = options.random;
  const pool = randomFn ? undefined : new RandomPool();
  const random = randomFn ? (n: number) => toBuffer(randomFn(n)) : (n: number) => pool!.take(n);
  const now = options.now ?? Date.now;
  const certChain = options.certificate ? certificatesToDer(options.certificate) : undefined;
  let privateKey: KeyObject | undefined;
  let rawPublicKey: Buffer | undefined;
  if (options.rpk?.privateKey) {
    privateKey = toPrivateKey(options.rpk.privateKey);
    rawPublicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  }
  if (options.privateKey) {
    const pk = toPrivateKey(options.privateKey);
    if (privateKey && !createPublicKey(pk).export({ type: 'spki', format: 'der' }).equals(rawPublicKey!)) {
      throw new Error('rpk.privateKey and privateKey must be the same key');
    }
    privateKey = pk;
  }
  if (privateKey) requireP256(privateKey, 'privateKey');
  if (certChain) {
    if (!privateKey) throw new Error('certificate needs privateKey');
    const leaf = new X509Certificate(certChain[0]!);
    if (!leaf.checkPrivateKey(privateKey)) throw new Error('certificate does not match privateKey');
  }
  const trusted = options.rpk?.trusted;
  const trustRawPublicKey = trusted
    ? typeof trusted === 'function'
      ? (spki: Buffer) => trusted(spki)
      : (spki: Buffer) => trusted.some((t) => toBuffer(t).equals(spki))
    : undefined;
  const trustedCertificates = (options.trustedCertificates ?? [])
    .flatMap((c) => certificatesToDer(c))
    .map((d) => new X509Certificate(d));
  const cid = options.cid ?? (role === 'server' ? 6 : false);
  const cidLength = cid === true ? (role === 'server' ? 6 : 0) : cid === false ? 0 : cid;
  if (!Number.isInteger(cidLength) || cidLength < 0 || cidLength > 32) throw new Error('cid length must be 0..32');
  const clientAuth = options.clientAuth ?? (trustedCertificates.length > 0 || trustRawPublicKey ? 'require' : 'none');
  const pskKey = role === 'client' && options.psk && typeof options.psk === 'object' ? options.psk : undefined;
  const pskLookup = role === 'server' && typeof options.psk === 'function' ? options.psk : undefined;
  const config: HandshakeConfig = {
    cipherSuites: options.cipherSuites ? suitesByName(options.cipherSuites) : CIPHER_SUITES,
    ...(pskKey ? { pskIdentity: Buffer.from(pskKey.identity, 'utf8'), pskKey: Buffer.from(pskKey.key) } : {}),
    ...(pskLookup ? { pskLookup } : {}),
    ...(options.identityHint ? { identityHint: Buffer.from(options.identityHint, 'utf8') } : {}),
    ...(certChain ? { certChain } : {}),
    ...(rawPublicKey ? { rawPublicKey } : {}),
    ...(privateKey ? { privateKey } : {}),
    trustedCertificates,
    ...(trustRawPublicKey ? { trustRawPublicKey } : {}),
    clientAuth,
    ...(options.serverName ? { serverName: options.serverName } : {}),
    requestCid: role === 'client' && cid !== false,
    cidLength,
    now,
    random,
    maxHandshakeMessage: 16 * 1024,
  };
  return {
    config,
    timing: {
      mtu: options.mtu ?? 1200,
      retransmitInitialMs: options.retransmitInitialMs ?? 1000,
      retransmitMaxMs: options.retransmitMaxMs ?? 60_000,
      handshakeTimeoutMs: options.limits?.handshakeTimeoutMs ?? 30_000,
    },
  };
}
