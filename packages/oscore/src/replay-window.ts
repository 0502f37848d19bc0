/**
 * Anti-replay sliding window over received Partial IVs (RFC 8613 §7.4 / §3.2.2, the RFC 6347
 * §4.1.2.6 scheme). Size is configurable (default 32). check() never mutates; accept() does,
 * so a caller can verify a message completely before committing the window.
 */

export type ReplayVerdict = 'fresh' | 'replay' | 'too-old';

export class ReplayWindow {
  readonly size: number;
  /** Highest accepted sequence number, -1 before any. */
  private top = -1;
  /** seen[s % size] for s in (top - size, top]. */
  private readonly seen: Uint8Array;
  /**
   * False after a restart that lost the window (Appendix B.1.2): requests must be proven fresh
   * (Echo) before the window is trusted again. True for a newly derived context.
   */
  private valid: boolean;

  constructor(size = 32, options: { valid?: boolean } = {}) {
    if (!Number.isInteger(size) || size < 1 || size > 1 << 20)
      throw new RangeError(`replay window size ${size} out of range`);
    this.size = size;
    this.seen = new Uint8Array(size);
    this.valid = options.valid ?? true;
  }

  get initialized(): boolean {
    return this.valid;
  }

  /** Highest accepted sequence number (-1 if none). */
  get highest(): number {
    return this.top;
  }

  check(seq: number): ReplayVerdict {
    if (seq > this.top) return 'fresh';
    if (this.top - seq >= this.size) return 'too-old';
    return this.seen[seq % this.size] ? 'replay' : 'fresh';
  }

  /** Marks `seq` received. Call only after check(seq) === 'fresh' and full verification. */
  accept(seq: number): void {
    if (seq > this.top) {
      if (seq - this.top >= this.size) this.seen.fill(0);
      else for (let s = this.top + 1; s < seq; s++) this.seen[s % this.size] = 0;
      this.top = seq;
    }
    this.seen[seq % this.size] = 1;
  }

  /**
   * Appendix B.1.2: after a request was proven fresh (Echo), its sequence number becomes the
   * lower limit: it and everything below are treated as already received.
   */
  initializeAt(seq: number): void {
    this.seen.fill(1);
    this.top = seq;
    this.valid = true;
  }

  /** Forget the window (e.g. after a restart without persisted window state). */
  invalidate(): void {
    this.valid = false;
  }
}
