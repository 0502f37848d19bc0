import type { KeyObject } from 'node:crypto';
import type { CipherSuiteName } from '../crypto/cipher-suites';
import type { PskLookup } from '../handshake/handshake-config';

export type KeyInput = string | Uint8Array | KeyObject;
export type CertificateInput = string | Uint8Array | readonly (string | Uint8Array)[];

export interface DtlsLimits {
  /** Established + handshaking associations (default 10 000). New ClientHellos beyond it are dropped. */
  readonly maxSessions?: number;
  /** Concurrent handshakes (default 1 000); bounds memory under a flood of cookie-valid ClientHellos. */
  readonly maxHandshakes?: number;
  /** A handshake not finished within this time is dropped (default 30 s). */
  readonly handshakeTimeoutMs?: number;
  /** Established sessions without traffic for this long are evicted silently (default 30 min, 0 = never). */
  readonly idleTimeoutMs?: number;
  /** HelloVerifyRequest cookie secret lifetime (default 60 s). */
  readonly cookieSecretLifetimeMs?: number;
  /** Resumable sessions kept (default 10 000) and for how long (default 24 h). */
  readonly maxCachedSessions?: number;
  readonly sessionLifetimeMs?: number;
  /** Frames queued per peer while its handshake runs (default 32). */
  readonly maxQueuedFrames?: number;
}

export interface DtlsCommonOptions {
  /** Bind address (default 0.0.0.0; give '::' or '::1' for IPv6). */
  readonly host?: string;
  /** Bind port (default 0 = any). */
  readonly port?: number;
  /** Offered / accepted suites in preference order (default: all implemented, CCM_8 first). */
  readonly cipherSuites?: readonly CipherSuiteName[];
  /** Own X.509 chain, leaf first (PEM with one or more certificates, or DER), EC P-256 key. */
  readonly certificate?: CertificateInput;
  /** Private key for `certificate` (PEM, DER PKCS#8 or a KeyObject). */
  readonly privateKey?: KeyInput;
  /** Raw public keys (RFC 7250): own key pair and which peer keys (DER SubjectPublicKeyInfo) to trust. */
  readonly rpk?: {
    readonly privateKey?: KeyInput;
    readonly trusted?: readonly Uint8Array[] | ((spki: Uint8Array) => boolean);
  };
  /** Trust anchors for peer X.509 chains. */
  readonly trustedCertificates?: readonly (string | Uint8Array)[];
  /**
   * Connection ID (RFC 9146). A number is the length of the CIDs this endpoint issues; true = 6 bytes.
   * Server default: 6 (issued when the client asks). Client default: false; true requests a CID from the server
   * and uses a zero-length one itself, a number also issues own CIDs of that length.
   */
  readonly cid?: boolean | number;
  /** Datagram size limit for handshake flights (default 1200). */
  readonly mtu?: number;
  /** Initial and maximum retransmission timeout (default 1 s and 60 s, RFC 6347 4.2.4.1). */
  readonly retransmitInitialMs?: number;
  readonly retransmitMaxMs?: number;
  readonly limits?: DtlsLimits;
  /**
   * SO_RCVBUF / SO_SNDBUF in bytes (default 4 MiB / 1 MiB, as the UDP transport; Linux caps them at
   * net.core.rmem_max / wmem_max). A server with many sessions needs the room: bursts overflow Linux's ~208 KiB
   * default, and each lost record costs a CoAP retransmission.
   */
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
  /** Injected clock (ms) and randomness; defaults: Date.now and crypto.randomBytes. */
  readonly now?: () => number;
  readonly random?: (n: number) => Uint8Array;
}

export interface DtlsServerOptions extends DtlsCommonOptions {
  /** PSK store: the key for an identity, or undefined if unknown (may be async). */
  readonly psk?: PskLookup;
  readonly identityHint?: string;
  /** Ask clients for a certificate / raw public key in ECDHE_ECDSA handshakes (default 'require' when trust is configured). */
  readonly clientAuth?: 'none' | 'want' | 'require';
}

export interface DtlsClientOptions extends DtlsCommonOptions {
  readonly psk?: { readonly identity: string; readonly key: Uint8Array };
  /** Expected name (DNS or IP) in the server's X.509 certificate. */
  readonly serverName?: string;
}

/** Either role's options (internal: the transport class takes both shapes). */
export type DtlsAnyOptions = Omit<DtlsServerOptions, 'psk'> &
  Omit<DtlsClientOptions, 'psk'> & { readonly psk?: DtlsServerOptions['psk'] | DtlsClientOptions['psk'] };
