/**
 * Anti-replay sliding window (RFC 6347 4.1.2.6), 64 records wide, kept as two 32-bit words so an
 * idle session stays small (no BigInt, no array).
 */
export class ReplayWindow {
  /** Highest sequence number accepted so far, -1 before the first record. */
  max = -1;
  private lo = 0; // bits 0..31: max - 0 .. max - 31
  private hi = 0; // bits 32..63

  /** true if `seq` is new (not yet seen and not left of the window). Does not mark it. */
  check(seq: number): boolean {
    if (seq > this.max) return true;
    const d = this.max - seq;
    if (d >= 64) return false;
    return d < 32 ? ((this.lo >>> d) & 1) === 0 : ((this.hi >>> (d - 32)) & 1) === 0;
  }

  /** Marks `seq` seen; call only after the record authenticated. */
  mark(seq: number): void {
    if (seq > this.max) {
      const shift = this.max < 0 ? 64 : seq - this.max;
      if (shift >= 64) {
        this.lo = 0;
        this.hi = 0;
      } else if (shift >= 32) {
        this.hi = (shift === 32 ? this.lo : this.lo << (shift - 32)) >>> 0;
        this.lo = 0;
      } else {
        this.hi = ((this.hi << shift) | (this.lo >>> (32 - shift))) >>> 0;
        this.lo = (this.lo << shift) >>> 0;
      }
      this.lo = (this.lo | 1) >>> 0;
      this.max = seq;
      return;
    }
    const d = this.max - seq;
    if (d < 32) this.lo = (this.lo | (1 << d)) >>> 0;
    else if (d < 64) this.hi = (this.hi | (1 << (d - 32))) >>> 0;
  }
}
