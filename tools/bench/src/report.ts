/** Plain-text tables and target checks for the harness output. */
import type { CodecCompareResult } from './codec-compare';
import type { ServerResult } from './server-run';

const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toFixed(digits) : n === Number.POSITIVE_INFINITY ? '>1s' : '-';

export function serverTable(results: readonly ServerResult[]): string {
  const head = [
    'server',
    'req/s',
    'p50 µs',
    'p99 µs',
    'CPU µs/req',
    'srv cores',
    'gen cores',
    'peak RSS MB',
    'timeouts',
    'errors',
  ];
  const rows = results.map((r) => [
    r.server,
    num(r.requestsPerSecond),
    num(r.p50Micros),
    num(r.p99Micros),
    num(r.serverCpuMicrosPerRequest, 1),
    num(r.serverCpuCores, 2),
    num(r.generatorCpuCores, 2),
    mb(r.peakRssBytes),
    String(r.timeouts),
    String(r.errors),
  ]);
  return table([head, ...rows]);
}

export interface TargetCheck {
  readonly what: string;
  readonly value: number;
  readonly target: string;
  readonly met: boolean;
}

export function throughputChecks(results: readonly ServerResult[]): TargetCheck[] {
  const by = (name: string) => results.find((r) => r.server === name);
  const ours = by('ours');
  const checks: TargetCheck[] = [];
  if (!ours) return checks;
  const libcoap = by('libcoap');
  const nodeCoap = by('node-coap');
  if (libcoap) {
    const v = ours.requestsPerSecond / libcoap.requestsPerSecond;
    checks.push({ what: 'throughput ours / libcoap', value: v, target: '>= 0.65', met: v >= 0.65 });
    const c = libcoap.serverCpuMicrosPerRequest / ours.serverCpuMicrosPerRequest;
    checks.push({
      what: 'CPU efficiency ours / libcoap (libcoap µs/req ÷ ours)',
      value: c,
      target: '(info)',
      met: true,
    });
  }
  if (nodeCoap) {
    const v = ours.requestsPerSecond / nodeCoap.requestsPerSecond;
    checks.push({ what: 'throughput ours / node-coap', value: v, target: '>= 4', met: v >= 4 });
    const c = nodeCoap.serverCpuMicrosPerRequest / ours.serverCpuMicrosPerRequest;
    checks.push({
      what: 'CPU efficiency ours / node-coap (node-coap µs/req ÷ ours)',
      value: c,
      target: '(info)',
      met: true,
    });
  }
  return checks;
}

export function codecTable(results: readonly CodecCompareResult[]): string {
  return table([
    ['request', 'ours ops/s', 'coap-packet ops/s', 'ratio'],
    ...results.map((r) => [r.request, num(r.oursOpsPerSec), num(r.coapPacketOpsPerSec), `${r.ratio.toFixed(2)}x`]),
  ]);
}

export function checksTable(checks: readonly TargetCheck[]): string {
  return table([
    ['check', 'value', 'target', 'met'],
    ...checks.map((c) => [
      c.what,
      `${c.value.toFixed(2)}${c.target === '(info)' ? 'x' : ''}`,
      c.target,
      c.target === '(info)' ? '' : c.met ? 'yes' : 'NO',
    ]),
  ]);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    .join('\n');
}
