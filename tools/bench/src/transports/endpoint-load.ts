/**
 * Load for the transport benchmark: `connections` client Endpoints (each its own socket or
 * connection; over UDP + OSCORE each its own security context) keep `inflight` GETs outstanding
 * against one server. Same engine on both ends, so the transports are compared like for like.
 * Runs inside a load-generator child process.
 */
import { performance } from 'node:perf_hooks';
import { Endpoint, type MessageLayer, makePeer, type Peer, type Transport } from '@lwm2m-ts/coap';
import { createOscoreLayer } from '@lwm2m-ts/oscore';
import { createDtlsClient } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import type { LoadResult } from '../load/con-get-load';
import { type LoadStats, newLoadStats, sleep, warmUpAndMeasure } from '../load/measured-window';
import { BENCH_DTLS_SUITE, BENCH_PSK, clientOscoreContext } from './bench-security';
import type { TransportKind } from './transport-kind';

export interface EndpointLoadConfig {
  readonly transport: TransportKind;
  readonly host: string;
  readonly port: number;
  /** Client connections of this generator. */
  readonly sockets: number;
  /** This generator's connections are numbered from `generatorIndex * sockets` (OSCORE sender IDs). */
  readonly generatorIndex?: number;
  readonly inflight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}

async function clientTransport(kind: TransportKind): Promise<Transport> {
  switch (kind) {
    case 'tcp':
      return createTcpTransport({});
    case 'tls':
      return createTcpTransport({ tls: { psk: BENCH_PSK } });
    case 'ws':
      return createWsTransport({});
    case 'dtls':
      return createDtlsClient({ host: '127.0.0.1', psk: BENCH_PSK, cipherSuites: [BENCH_DTLS_SUITE] });
    default:
      return createUdpTransport({ host: '127.0.0.1', port: 0 });
  }
}

class Connection {
  running = false;
  constructor(
    private readonly endpoint: Endpoint,
    private readonly peer: Peer,
    private readonly config: EndpointLoadConfig,
    private readonly stats: LoadStats,
  ) {}

  /** One GET before the load starts: over DTLS this runs the handshake, so the measured window has none. */
  async prime(): Promise<boolean> {
    try {
      const res = await this.endpoint.request({ method: 'GET', peer: this.peer, path: '/', timeoutMs: 10_000 });
      return res.code >> 5 === 2;
    } catch {
      return false;
    }
  }

  start(stepMs: number): void {
    this.running = true;
    for (let i = 0; i < this.config.inflight; i++) setTimeout(() => this.loop(), i * stepMs);
  }

  /** One request slot: send, record, repeat while running. */
  private async loop(): Promise<void> {
    while (this.running) {
      const sentAt = performance.now();
      try {
        const res = await this.endpoint.request({
          method: 'GET',
          peer: this.peer,
          path: '/',
          timeoutMs: this.config.timeoutMs,
        });
        if (res.code >> 5 === 2) {
          this.stats.completed += 1;
          this.stats.histogram.record((performance.now() - sentAt) * 1000);
        } else this.stats.errors += 1;
      } catch (e) {
        if ((e as Error).name === 'CoapTimeoutError') this.stats.timeouts += 1;
        else {
          this.stats.errors += 1;
          await sleep(10); // a failing connection must not spin
        }
      }
    }
  }

  close(): Promise<void> {
    this.running = false;
    return this.endpoint.close();
  }
}

export async function runEndpointLoad(
  config: EndpointLoadConfig,
  onPhase: (phase: 'measure' | 'done') => void = () => {},
): Promise<LoadResult> {
  const stats = newLoadStats();
  const first = (config.generatorIndex ?? 0) * config.sockets;
  const connections = await Promise.all(
    Array.from({ length: config.sockets }, async (_, j) => {
      const transport = await clientTransport(config.transport);
      const layers: MessageLayer[] =
        config.transport === 'udp-oscore' ? [createOscoreLayer({ contexts: clientOscoreContext(first + j) })] : [];
      const endpoint = new Endpoint({
        transport,
        layers,
        // Over UDP the whole window goes out at once, as over the reliable transports.
        transmission: { nstart: config.inflight },
      });
      const peer = transport.resolvePeer
        ? await transport.resolvePeer(config.host, config.port)
        : makePeer(config.host, config.port);
      return new Connection(endpoint, peer, config, stats);
    }),
  );
  if (config.transport === 'dtls') {
    // Many sessions: handshake them in batches before the warm-up, so the server's socket buffer is not flooded
    // with ClientHellos and the measured window sees only requests.
    const started = performance.now();
    let failed = 0;
    for (let i = 0; i < connections.length; i += 100) {
      const ok = await Promise.all(connections.slice(i, i + 100).map((c) => c.prime()));
      failed += ok.filter((x) => !x).length;
    }
    const s = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`  dtls: ${connections.length - failed} PSK sessions established in ${s} s (${failed} failed)`);
  }
  const result = await warmUpAndMeasure(config, connections, stats, onPhase);
  await Promise.all(connections.map((c) => c.close().catch(() => {})));
  return result;
}
