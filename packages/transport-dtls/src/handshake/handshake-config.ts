import type { KeyObject, X509Certificate } from 'node:crypto';
import type { CipherSuite } from '../crypto/cipher-suites';

export type PskLookup = (identity: string) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

/** Resolved, validated settings shared by every handshake of one transport. */
export interface HandshakeConfig {
  readonly cipherSuites: readonly CipherSuite[];
  /** Client side PSK. */
  readonly pskIdentity?: Buffer;
  readonly pskKey?: Buffer;
  /** Server side PSK store. */
  readonly pskLookup?: PskLookup;
  readonly identityHint?: Buffer;
  /** Own X.509 chain (DER, leaf first). */
  readonly certChain?: Buffer[];
  /** Own raw public key (DER SubjectPublicKeyInfo). */
  readonly rawPublicKey?: Buffer;
  readonly privateKey?: KeyObject;
  readonly trustedCertificates: readonly X509Certificate[];
  readonly trustRawPublicKey?: (spki: Buffer) => boolean;
  /** Server: ask the client for a certificate / raw public key in ECDHE_ECDSA handshakes. */
  readonly clientAuth: 'none' | 'want' | 'require';
  /** Client: expected server name for X.509 (checkHost / checkIP). */
  readonly serverName?: string;
  /** Client: request a Connection ID from the server; own CID length (0 = peer sends no CID to us). */
  readonly requestCid: boolean;
  /** Length of Connection IDs this endpoint issues (0 disables issuing them). */
  readonly cidLength: number;
  readonly now: () => number;
  readonly random: (n: number) => Buffer;
  readonly maxHandshakeMessage: number;
}

/** What a completed handshake establishes; enough to resume the session later. */
export interface SessionParameters {
  readonly suite: CipherSuite;
  readonly masterSecret: Buffer;
  readonly sessionId: Buffer;
  readonly extendedMasterSecret: boolean;
  readonly identity?: import('@lwm2m-ts/coap').PeerIdentity;
}
