/**
 * Keeps `inflight` CON GETs outstanding on each of `sockets` UDP sockets against one server,
 * and measures completed requests and latency. Runs inside the load-generator child process,
 * never in the harness process, so the harness's own work does not disturb the measurement.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { CoapCode, createMessage, encodeUdp, encodeUtf8, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { type LoadStats, newLoadStats, sleep, warmUpAndMeasure } from './measured-window';

export interface LoadConfig {
  readonly host: string;
  readonly port: number;
  /** Resource path, e.g. "/" or "/bench". */
  readonly path: string;
  readonly sockets: number;
  /** Outstanding requests per socket. */
  readonly inflight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** A request without a response after this long counts as lost and is replaced by a new one. */
  readonly timeoutMs: number;
}

export interface LoadResult {
  readonly completed: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly elapsedMs: number;
  readonly histogram: [number, number][];
}

const TOKEN_LENGTH = 4;
const HEADER = 4;

/** The request as bytes with message id 0 and token 0; each send patches both in a copy. */
export function requestTemplate(path: string): Uint8Array {
  const segments = path.split('/').filter((s) => s.length > 0);
  return encodeUdp(
    createMessage({
      type: MessageType.CON,
      code: CoapCode.GET,
      token: new Uint8Array(TOKEN_LENGTH),
      options: segments.map((s) => ({ number: OptionNumber.URI_PATH, value: encodeUtf8(s) })),
    }),
  );
}

class LoadSocket {
  private readonly socket: Socket;
  private readonly outstanding = new Map<number, number>();
  private nextId = Math.floor(Math.random() * 0xffff);
  private running = false;

  constructor(
    private readonly config: LoadConfig,
    private readonly template: Uint8Array,
    private readonly stats: LoadStats,
  ) {
    this.socket = createSocket({ type: config.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 1 << 20 });
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', () => {
      this.stats.errors += 1;
    });
  }

  bind(): Promise<void> {
    return new Promise((resolve) => this.socket.bind(0, this.config.host.includes(':') ? '::1' : '127.0.0.1', resolve));
  }

  /** Opens the window gradually (one request per `stepMs`) so the start is not one artificial burst. */
  start(stepMs: number): void {
    this.running = true;
    for (let i = 0; i < this.config.inflight; i++) {
      setTimeout(() => {
        if (this.running) this.sendOne();
      }, i * stepMs);
    }
  }

  stop(): void {
    this.running = false;
  }

  close(): void {
    this.socket.close();
  }

  /** Replaces requests older than the timeout (counted as lost). */
  expire(now: number): void {
    for (const [id, sentAt] of this.outstanding) {
      if (now - sentAt > this.config.timeoutMs) {
        this.outstanding.delete(id);
        this.stats.timeouts += 1;
        if (this.running) this.sendOne();
      }
    }
  }

  private sendOne(): void {
    const id = this.nextId;
    this.nextId = (id + 1) & 0xffff;
    const frame = Buffer.allocUnsafe(this.template.length);
    frame.set(this.template);
    frame[2] = id >>> 8;
    frame[3] = id & 0xff;
    // Token = message id (big-endian, zero-padded): unique among outstanding requests.
    frame[HEADER + 2] = id >>> 8;
    frame[HEADER + 3] = id & 0xff;
    this.outstanding.set(id, performance.now());
    this.socket.send(frame, this.config.port, this.config.host);
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < HEADER) return;
    const type = (msg[0]! >> 4) & 3;
    const code = msg[1]!;
    const id = (msg[2]! << 8) | msg[3]!;
    if (type !== MessageType.ACK || code === 0) return; // only piggybacked responses complete a request
    const sentAt = this.outstanding.get(id);
    if (sentAt === undefined) return; // late answer to a request already counted as lost
    this.outstanding.delete(id);
    if (code >> 5 === 2) {
      this.stats.completed += 1;
      this.stats.histogram.record((performance.now() - sentAt) * 1000);
    } else this.stats.errors += 1;
    if (this.running) this.sendOne();
  }
}

/**
 * Runs warm-up then measurement. `onPhase('measure')` fires when the measured window opens and
 * `onPhase('done')` when it closes, so the caller can sample the server's CPU exactly around it.
 */
export async function runLoad(
  config: LoadConfig,
  onPhase: (phase: 'measure' | 'done') => void = () => {},
): Promise<LoadResult> {
  const stats = newLoadStats();
  const template = requestTemplate(config.path);
  const sockets = Array.from({ length: config.sockets }, () => new LoadSocket(config, template, stats));
  await Promise.all(sockets.map((s) => s.bind()));
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const s of sockets) s.expire(now);
    },
    Math.max(10, Math.min(200, config.timeoutMs / 4)),
  );
  const result = await warmUpAndMeasure(config, sockets, stats, onPhase);
  for (const s of sockets) s.stop();
  clearInterval(sweep);
  await sleep(50);
  for (const s of sockets) s.close();
  return result;
}
