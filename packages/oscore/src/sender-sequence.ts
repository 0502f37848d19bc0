/** The Sender Sequence Number (RFC 8613 §3.1, §7.2) with optional Appendix B.1.1 persistence. */
import { OscoreError } from './oscore-error';
import type { SequenceNumberStore } from './sequence-number-store';

/** §7.2.1: SHALL be less than 2^40 (the Partial IV is at most 5 bytes). */
export const MAX_SEQUENCE_NUMBER = 2 ** 40 - 1;

export interface SequencePersistence {
  readonly store: SequenceNumberStore;
  /** Key of this sender in the store (default: derived from the context's IDs). */
  readonly key: string;
  /** K: save every K-th number (default 100). */
  readonly interval?: number;
  /** F: extra numbers skipped after a restart (default 0: saves are synchronous and durable). */
  readonly margin?: number;
}

export class SenderSequence {
  private nextValue: number;
  private readonly persistence: SequencePersistence | undefined;
  private readonly interval: number;
  /** The first number used after construction is always saved, even when not K-aligned (F > 0). */
  private savedOnce = false;

  constructor(persistence?: SequencePersistence, start?: number) {
    this.persistence = persistence;
    this.interval = persistence?.interval ?? 100;
    if (!Number.isSafeInteger(this.interval) || this.interval < 1)
      throw new RangeError('sequence interval K must be >= 1');
    const margin = persistence?.margin ?? 0;
    if (!Number.isSafeInteger(margin) || margin < 0) throw new RangeError('sequence margin F must be >= 0');
    const saved = persistence?.store.load(persistence.key);
    this.nextValue = start ?? (saved === undefined ? 0 : saved + this.interval + margin);
  }

  /** The number the next allocate() returns. Settable (tests, explicit resynchronization). */
  get current(): number {
    return this.nextValue;
  }
  set current(value: number) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_SEQUENCE_NUMBER + 1) {
      throw new RangeError(`sender sequence number ${value} out of range`);
    }
    this.nextValue = value;
  }

  /** Returns the number to use and advances. Throws OscoreError('sequence-exhausted') past 2^40-1. */
  allocate(): number {
    const n = this.nextValue;
    if (n > MAX_SEQUENCE_NUMBER) {
      throw new OscoreError('sequence-exhausted', 'Sender Sequence Number exhausted: derive a new security context');
    }
    const p = this.persistence;
    // Persist *before* first use of each K-aligned number (or of the first number after a restart),
    // so a crash can never make the restarted sender reuse a number.
    if (p && (n % this.interval === 0 || !this.savedOnce)) {
      p.store.save(p.key, n);
      this.savedOnce = true;
    }
    this.nextValue = n + 1;
    return n;
  }
}
