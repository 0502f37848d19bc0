import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram';

describe('LatencyHistogram', () => {
  it('reports quantiles as bucket upper edges', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 99; i++) h.record(55);
    h.record(5_000);
    expect(h.quantile(0.5)).toBe(60);
    expect(h.quantile(0.99)).toBe(60);
    expect(h.quantile(1)).toBe(5_010);
  });

  it('merges sparse histograms and counts overflow', () => {
    const a = new LatencyHistogram();
    a.record(15);
    a.record(2_000_000);
    const b = new LatencyHistogram();
    b.addSparse(a.toSparse());
    expect(b.total).toBe(2);
    expect(b.quantile(0.5)).toBe(20);
    expect(b.quantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(new LatencyHistogram().quantile(0.5)).toBeNaN();
  });
});
