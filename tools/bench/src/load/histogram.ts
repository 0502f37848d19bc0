/** Latency histogram with 10 µs buckets up to 1 s; slower samples land in an overflow bucket. */
export const BUCKET_US = 10;
export const BUCKETS = 100_000;

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS + 1);
  total = 0;

  record(microseconds: number): void {
    const i = Math.floor(microseconds / BUCKET_US);
    this.counts[Math.min(i, BUCKETS)]! += 1;
    this.total += 1;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** Sparse form ([bucket, count] pairs) for IPC. */
  toSparse(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i <= BUCKETS; i++) if (this.counts[i]! > 0) out.push([i, this.counts[i]!]);
    return out;
  }

  addSparse(pairs: readonly (readonly [number, number])[]): void {
    for (const [i, n] of pairs) {
      this.counts[Math.min(i, BUCKETS)]! += n;
      this.total += n;
    }
  }

  /** Upper edge (µs) of the bucket holding quantile q (0..1); Infinity when it falls in the overflow bucket. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === BUCKETS ? Number.POSITIVE_INFINITY : (i + 1) * BUCKET_US;
    }
    return Number.POSITIVE_INFINITY;
  }
}
