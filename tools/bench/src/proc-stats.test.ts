import { describe, expect, it } from 'vitest';
import { cpuMicros, memory } from './proc-stats';

describe('proc stats', () => {
  it('reads CPU time that grows with work, and a plausible RSS for this process', () => {
    const before = cpuMicros(process.pid);
    // Spin until 50 ms of CPU time show up (bounded: a loaded machine may give us little CPU).
    const deadline = Date.now() + 5000;
    let x = 0;
    while (cpuMicros(process.pid) - before < 50_000 && Date.now() < deadline) {
      for (let i = 0; i < 100_000; i++) x += Math.sqrt(i + x);
    }
    expect(x).toBeGreaterThan(0);
    expect(cpuMicros(process.pid) - before).toBeGreaterThanOrEqual(50_000);
    const { rss, peakRss } = memory(process.pid);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(peakRss).toBeGreaterThanOrEqual(rss);
  });
});
