import { describe, expect, it } from 'vitest';
import type { ServerResult } from '../server-run';
import { parseTransportKinds } from './transport-kind';
import { transportChecks } from './transport-report';

const result = (server: string, requestsPerSecond: number, serverCpuMicrosPerRequest: number): ServerResult => ({
  server,
  requestsPerSecond,
  p50Micros: 100,
  p99Micros: 1000,
  completed: requestsPerSecond * 10,
  timeouts: 0,
  errors: 0,
  serverCpuMicrosPerRequest,
  serverCpuCores: 1,
  generatorCpuCores: 1,
  peakRssBytes: 1,
  finalRssBytes: 1,
  maxSampledRssBytes: 1,
});

describe('transportChecks', () => {
  it('judges TCP >= UDP and OSCORE >= 0.7 x UDP against the same-run UDP baseline', () => {
    const checks = transportChecks([
      result('udp', 20_000, 15),
      result('tcp', 19_000, 10),
      result('udp-oscore', 15_000, 30),
    ]);
    const by = Object.fromEntries(checks.map((c) => [c.what.split(' (')[0], c]));
    expect(by['throughput TCP / UDP']).toMatchObject({ value: 0.95, met: false });
    expect(by['CPU efficiency TCP / UDP']!.value).toBe(1.5);
    expect(by['throughput UDP+OSCORE / UDP']).toMatchObject({ value: 0.75, met: true });
    expect(by['CPU efficiency UDP+OSCORE / UDP']!.value).toBe(0.5);
  });

  it('reports DTLS against the 50k req/s target and the same-run UDP baseline', () => {
    const checks = transportChecks([result('udp', 20_000, 16), result('dtls', 10_000, 32)]);
    const by = Object.fromEntries(checks.map((c) => [c.what.split(' (')[0], c]));
    expect(by.DTLS).toMatchObject({ value: 10_000, met: false });
    expect(by['throughput DTLS / UDP']!.value).toBe(0.5);
    expect(by['CPU efficiency DTLS / UDP']!.value).toBe(0.5);
  });

  it('needs the UDP baseline', () => {
    expect(transportChecks([result('tcp', 1, 1)])).toEqual([]);
  });
});

describe('parseTransportKinds', () => {
  it('accepts known kinds and "none", refuses others', () => {
    expect(parseTransportKinds('udp, tcp,ws')).toEqual(['udp', 'tcp', 'ws']);
    expect(parseTransportKinds('dtls')).toEqual(['dtls']);
    expect(parseTransportKinds('none')).toEqual([]);
    expect(() => parseTransportKinds('udp,quic')).toThrow(/unknown transport "quic"/);
  });
});
