import { CoapCode } from '@lwm2m-ts/codec';

const marker = Symbol.for('lwm2m-ts.oscore-error');

/**
 * What went wrong. Verification failures (a peer's fault) map to the response codes of
 * RFC 8613 §7.4 / §8.2; the rest are local (misuse, exhaustion, configuration).
 */
export type OscoreErrorKind =
  /** OSCORE option or COSE object malformed (§8.2 step 2): 4.02 "Failed to decode COSE". */
  | 'decode-failed'
  /** No Recipient Context for the 'kid' (and 'kid context'): 4.01 "Security context not found". */
  | 'context-not-found'
  /** AEAD verification failed: 4.00 "Decryption failed". */
  | 'decryption-failed'
  /** Partial IV already received or left of the window: 4.01 "Replay detected". */
  | 'replay'
  /** Decrypted plaintext is not a valid CoAP code/options/payload section: 4.00. */
  | 'malformed-plaintext'
  /** Replay window not yet initialized after a restart (Appendix B.1.2): answer a protected 4.01 with Echo. */
  | 'echo-required'
  /** A message without the OSCORE option where one was required: 4.01. */
  | 'not-protected'
  /** Client side: a response that is not acceptable for its request (second response, stale notification, ...). */
  | 'unexpected-response'
  /** Local: Sender Sequence Number would exceed 2^40-1 (§7.2.1): a new security context is needed. */
  | 'sequence-exhausted'
  /** Local: the original message already carries an OSCORE option (nesting is not supported, §4.1.3.7). */
  | 'nested-oscore'
  /** Local: bad security context configuration. */
  | 'invalid-config';

const RESPONSES: Partial<Record<OscoreErrorKind, { code: number; diagnostic: string }>> = {
  'decode-failed': { code: CoapCode.BAD_OPTION, diagnostic: 'Failed to decode COSE' },
  'context-not-found': { code: CoapCode.UNAUTHORIZED, diagnostic: 'Security context not found' },
  'decryption-failed': { code: CoapCode.BAD_REQUEST, diagnostic: 'Decryption failed' },
  replay: { code: CoapCode.UNAUTHORIZED, diagnostic: 'Replay detected' },
  'malformed-plaintext': { code: CoapCode.BAD_REQUEST, diagnostic: 'Decryption failed' },
  'echo-required': { code: CoapCode.UNAUTHORIZED, diagnostic: '' },
  'not-protected': { code: CoapCode.UNAUTHORIZED, diagnostic: 'OSCORE required' },
};

export class OscoreError extends Error {
  readonly [marker] = true;
  readonly kind: OscoreErrorKind;
  /** Response code a server answers with (0 when the error is local or client-side: no response is sent). */
  readonly responseCode: number;
  /** Diagnostic payload for the (unprotected) error response, per RFC 8613 §8.2. */
  readonly diagnostic: string;

  constructor(kind: OscoreErrorKind, message?: string, options?: { cause?: unknown }) {
    const r = RESPONSES[kind];
    super(message ?? r?.diagnostic ?? kind, options);
    this.name = 'OscoreError';
    this.kind = kind;
    this.responseCode = r?.code ?? 0;
    this.diagnostic = r?.diagnostic ?? '';
  }

  static isInstance(value: unknown): value is OscoreError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
