/** Target checks of the transport benchmark: TCP against UDP, the cost of OSCORE and of DTLS on UDP. */
import type { TargetCheck } from '../report';
import type { ServerResult } from '../server-run';

export function transportChecks(results: readonly ServerResult[]): TargetCheck[] {
  const by = (name: string) => results.find((r) => r.server === name);
  const udp = by('udp');
  const checks: TargetCheck[] = [];
  if (!udp) return checks;
  const tcp = by('tcp');
  if (tcp) {
    const v = tcp.requestsPerSecond / udp.requestsPerSecond;
    checks.push({ what: 'throughput TCP / UDP (req/s, same run)', value: v, target: '>= 1', met: v >= 1 });
    checks.push({
      what: 'CPU efficiency TCP / UDP (UDP µs/req ÷ TCP)',
      value: udp.serverCpuMicrosPerRequest / tcp.serverCpuMicrosPerRequest,
      target: '(info)',
      met: true,
    });
  }
  const oscore = by('udp-oscore');
  if (oscore) {
    const v = oscore.requestsPerSecond / udp.requestsPerSecond;
    checks.push({
      what: 'throughput UDP+OSCORE / UDP (req/s; OSCORE costs <= 30 %)',
      value: v,
      target: '>= 0.70',
      met: v >= 0.7,
    });
    checks.push({
      what: 'CPU efficiency UDP+OSCORE / UDP (UDP µs/req ÷ OSCORE)',
      value: udp.serverCpuMicrosPerRequest / oscore.serverCpuMicrosPerRequest,
      target: '(info)',
      met: true,
    });
  }
  const dtls = by('dtls');
  if (dtls) {
    checks.push({
      what: 'DTLS (PSK, CCM_8, many sessions) req/s (issue: >= 50k on 2 vCPU)',
      value: dtls.requestsPerSecond,
      target: '>= 50000',
      met: dtls.requestsPerSecond >= 50_000,
    });
    checks.push({
      what: 'throughput DTLS / UDP (req/s, same run)',
      value: dtls.requestsPerSecond / udp.requestsPerSecond,
      target: '(info)',
      met: true,
    });
    checks.push({
      what: 'CPU efficiency DTLS / UDP (UDP µs/req ÷ DTLS)',
      value: udp.serverCpuMicrosPerRequest / dtls.serverCpuMicrosPerRequest,
      target: '(info)',
      met: true,
    });
  }
  return checks;
}
