/** RFC 7252 §4.8 transmission parameters and the engine's own limits, with defaults. */
export interface TransmissionParameters {
  /** ACK_TIMEOUT, ms (default 2000). */
  readonly ackTimeoutMs: number;
  /** ACK_RANDOM_FACTOR (default 1.5). */
  readonly ackRandomFactor: number;
  /** MAX_RETRANSMIT (default 4). */
  readonly maxRetransmit: number;
  /** NSTART: outstanding CON requests per peer; more are queued (default 1). */
  readonly nstart: number;
  /** MAX_LATENCY, ms (default 100 s). */
  readonly maxLatencyMs: number;
  /** PROCESSING_DELAY, ms (default ACK_TIMEOUT). */
  readonly processingDelayMs: number;
}

export const DEFAULT_TRANSMISSION: TransmissionParameters = Object.freeze({
  ackTimeoutMs: 2000,
  ackRandomFactor: 1.5,
  maxRetransmit: 4,
  nstart: 1,
  maxLatencyMs: 100_000,
  processingDelayMs: 2000,
});

/** Derived times of RFC 7252 §4.8.2. */
export interface DerivedTimes {
  readonly maxTransmitSpanMs: number;
  readonly maxTransmitWaitMs: number;
  readonly exchangeLifetimeMs: number;
  readonly nonLifetimeMs: number;
}

export function deriveTimes(p: TransmissionParameters): DerivedTimes {
  const maxTransmitSpanMs = p.ackTimeoutMs * (2 ** p.maxRetransmit - 1) * p.ackRandomFactor;
  const maxTransmitWaitMs = p.ackTimeoutMs * (2 ** (p.maxRetransmit + 1) - 1) * p.ackRandomFactor;
  return {
    maxTransmitSpanMs,
    maxTransmitWaitMs,
    exchangeLifetimeMs: maxTransmitSpanMs + 2 * p.maxLatencyMs + p.processingDelayMs,
    nonLifetimeMs: maxTransmitSpanMs + p.maxLatencyMs,
  };
}
