import { describe, expect, it } from 'vitest';
import { serverTable, throughputChecks } from './report';
import type { ServerResult } from './server-run';

const result = (server: string, requestsPerSecond: number, serverCpuMicrosPerRequest: number): ServerResult => ({
  server,
  requestsPerSecond,
  p50Micros: 100,
  p99Micros: Number.POSITIVE_INFINITY,
  completed: requestsPerSecond * 10,
  timeouts: 0,
  errors: 0,
  serverCpuMicrosPerRequest,
  serverCpuCores: 1,
  generatorCpuCores: 0.5,
  peakRssBytes: 50 * 1024 * 1024,
  finalRssBytes: 40 * 1024 * 1024,
  maxSampledRssBytes: 45 * 1024 * 1024,
});

describe('throughputChecks', () => {
  it('computes ratios against each baseline and judges the targets', () => {
    const checks = throughputChecks([
      result('ours', 30_000, 12),
      result('libcoap', 50_000, 9),
      result('node-coap', 8_000, 48),
    ]);
    const byWhat = Object.fromEntries(checks.map((c) => [c.what, c]));
    expect(byWhat['throughput ours / libcoap']).toMatchObject({ value: 0.6, met: false });
    expect(byWhat['throughput ours / node-coap']).toMatchObject({ value: 3.75, met: false });
    expect(byWhat['CPU efficiency ours / libcoap (libcoap µs/req ÷ ours)']?.value).toBeCloseTo(0.75);
    expect(byWhat['CPU efficiency ours / node-coap (node-coap µs/req ÷ ours)']?.value).toBe(4);
    expect(throughputChecks([result('libcoap', 1, 1)])).toEqual([]);
  });

  it('renders a table with overflowed latency as >1s', () => {
    const text = serverTable([result('ours', 30_000, 12)]);
    expect(text.split('\n')[1]).toMatch(/^ours\s+30000\s+100\s+>1s\s+12\.0\s+1\.00\s+0\.50\s+50\.0\s+0\s+0$/);
  });
});
