import { AlertDescription } from '../constants';

const MARKER = Symbol.for('@lwm2m-ts/transport-dtls/DtlsAlertError');
const names = new Map<number, string>(Object.entries(AlertDescription).map(([k, v]) => [v, k]));

/** The peer sent an alert that ended the association (fatal alert or close_notify). */
export class DtlsAlertError extends Error {
  override readonly name = 'DtlsAlertError';
  readonly [MARKER] = true;

  constructor(
    readonly level: number,
    readonly description: number,
  ) {
    super(`peer sent ${level === 2 ? 'fatal' : 'warning'} alert ${names.get(description) ?? description}`);
  }

  static isInstance(e: unknown): e is DtlsAlertError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * Message of the reason a session ends when its 48-bit write sequence number is used up. DTLS 1.2 forbids reusing
 * a sequence number within an epoch and we refuse renegotiation, so the session closes with close_notify (sent
 * with the last sequence number) and stays resumable; a client runs a new (abbreviated) handshake on its next send.
 */
export const SEQUENCE_EXHAUSTED = 'DTLS write sequence numbers exhausted';
