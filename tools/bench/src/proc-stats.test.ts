import { describe, expect, it } from 'vitest';
import { cpuMicros, memory } from './proc-stats';

describe('proc stats', () => {
  it('reads CPU time that grows with work and a plausible RSS for this process', () => {
    const before = cpuMicros(process.pid);
    const until = Date.now() + 120;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const after = cpuMicros(process.pid);
    expect(x).toBeGreaterThan(0);
    expect(after - before).toBeGreaterThanOrEqual(50_000);
    const { rss, peakRss } = memory(process.pid);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(peakRss).toBeGreaterThanOrEqual(rss);
  });
});
