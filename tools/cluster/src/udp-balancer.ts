/**
 * A test-only UDP balancer in front of several CoAP server nodes, the way a cloud load balancer
 * with source-address affinity sits in front of an LwM2M cluster. Each device (source address
 * and port) is pinned to one backend; its datagrams go there from an upstream socket of its own,
 * so backends see one distinct source port per device, and the backends' replies (and their own
 * requests: observe, read) come back to the device from the front socket it talks to. When a
 * backend is marked dead (`removeBackend`, or CoAP pings unanswered) its devices move to live
 * backends and keep their upstream socket: the new node sees the same device address.
 *
 * It does not parse what it relays (any bytes, CoAP or not, go through as they are), except the
 * health probe's replies. Oversized datagrams and flows past `maxFlows` are dropped and counted.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { encodePing, isResetFor } from './coap-ping';

export interface BackendAddress {
  readonly host: string;
  readonly port: number;
}

export interface HealthCheckOptions {
  /** Time between probe rounds, ms (default 500). */
  readonly intervalMs?: number;
  /** How long a probe waits for the backend's RST, ms (default 300). */
  readonly timeoutMs?: number;
  /** Consecutive unanswered probes that mark a backend dead (default 2). */
  readonly failures?: number;
}

export interface UdpBalancerOptions {
  /** Front address (an IP literal, default 127.0.0.1). */
  readonly host?: string;
  /** Front port (default 0: any free port). */
  readonly port?: number;
  /** Backends: ports on `host`, or addresses. */
  readonly backends: readonly (number | BackendAddress)[];
  /** Larger datagrams are dropped in either direction (default 4096 bytes). */
  readonly maxDatagramBytes?: number;
  /**
   * SO_RCVBUF / SO_SNDBUF asked for the front socket (default 4 MiB): every device's traffic
   * queues there while the event loop is busy, and Linux's ~208 KiB default overflows at a few
   * hundred datagrams.
   */
  readonly socketBufferBytes?: number;
  /** Devices tracked at most; datagrams of further devices are dropped (default 10,000). */
  readonly maxFlows?: number;
  /** Probe the backends with CoAP pings (RFC 7252 §4.3) and fail over on silence. Off by default. */
  readonly healthCheck?: HealthCheckOptions | false;
  /** Called when a backend goes dead or comes back. */
  readonly onBackendChange?: (index: number, live: boolean) => void;
}

export interface BalancerFlow {
  /** The device's address and port, as the front socket sees them. */
  readonly address: string;
  readonly port: number;
  /** Index of the backend it is pinned to. */
  readonly backend: number;
  /** Local port of its upstream socket (the device's address as the backends see it). */
  readonly upstreamPort: number | undefined;
}

export interface BalancerStats {
  readonly flows: number;
  /** Datagrams relayed device -> backend and backend -> device. */
  readonly toBackend: number;
  readonly toDevice: number;
  readonly droppedOversized: number;
  /** Device datagrams dropped because no backend was live. */
  readonly droppedNoBackend: number;
  readonly droppedFlowLimit: number;
  /** Datagrams at an upstream socket from an address that is not a backend. */
  readonly droppedForeign: number;
  /** Flows moved off a dead backend. */
  readonly rerouted: number;
  readonly sendErrors: number;
}

interface Backend {
  readonly host: string;
  readonly port: number;
  live: boolean;
  /** Taken down by the health check (which may bring it back), not by `removeBackend`. */
  downByProbe: boolean;
  missedProbes: number;
  flows: number;
}

interface Flow {
  readonly address: string;
  readonly port: number;
  backend: number;
  readonly socket: Socket;
}

type MutableStats = { -readonly [K in keyof BalancerStats]: BalancerStats[K] };

function socketType(host: string): 'udp4' | 'udp6' {
  return isIP(host) === 6 ? 'udp6' : 'udp4';
}

function bind(socket: Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export class UdpBalancer {
  readonly host: string;
  readonly #front: Socket;
  readonly #probe: Socket | undefined;
  readonly #backends: Backend[];
  readonly #flows = new Map<string, Flow>();
  readonly #maxBytes: number;
  readonly #maxFlows: number;
  readonly #health: Required<HealthCheckOptions>;
  readonly #onChange: ((index: number, live: boolean) => void) | undefined;
  readonly #stats: MutableStats = {
    flows: 0,
    toBackend: 0,
    toDevice: 0,
    droppedOversized: 0,
    droppedNoBackend: 0,
    droppedFlowLimit: 0,
    droppedForeign: 0,
    rerouted: 0,
    sendErrors: 0,
  };
  #timer: NodeJS.Timeout | undefined;
  #probeMid = 0;
  #probeRound: Promise<readonly boolean[]> | undefined;
  readonly #pendingProbes = new Map<number, number>();
  readonly #answeredProbes = new Set<number>();
  #closed = false;

  private constructor(options: UdpBalancerOptions, front: Socket, probe: Socket | undefined) {
    this.host = options.host ?? '127.0.0.1';
    this.#front = front;
    this.#probe = probe;
    this.#backends = options.backends.map((b) => {
      const address = typeof b === 'number' ? { host: this.host, port: b } : b;
      return { host: address.host, port: address.port, live: true, downByProbe: false, missedProbes: 0, flows: 0 };
    });
    this.#maxBytes = options.maxDatagramBytes ?? 4096;
    this.#maxFlows = options.maxFlows ?? 10_000;
    this.#health = {
      intervalMs: options.healthCheck ? (options.healthCheck.intervalMs ?? 500) : 500,
      timeoutMs: options.healthCheck ? (options.healthCheck.timeoutMs ?? 300) : 300,
      failures: options.healthCheck ? (options.healthCheck.failures ?? 2) : 2,
    };
    this.#onChange = options.onBackendChange;
  }

  /** Binds the front socket (and the probe socket) and starts relaying. */
  static async start(options: UdpBalancerOptions): Promise<UdpBalancer> {
    const host = options.host ?? '127.0.0.1';
    if (isIP(host) === 0) throw new RangeError(`balancer host must be an IP literal, got ${JSON.stringify(host)}`);
    if (options.backends.length === 0) throw new RangeError('a balancer needs at least one backend');
    for (const b of options.backends) {
      const port = typeof b === 'number' ? b : b.port;
      const bhost = typeof b === 'number' ? host : b.host;
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid backend port ${port}`);
      if (isIP(bhost) === 0) throw new RangeError(`backend host must be an IP literal, got ${JSON.stringify(bhost)}`);
    }
    const front = createSocket(socketType(host));
    await bind(front, host, options.port ?? 0);
    const buffer = options.socketBufferBytes ?? 4 * 1024 * 1024;
    try {
      front.setRecvBufferSize(buffer);
      front.setSendBufferSize(buffer);
    } catch {
      // The kernel may cap it (net.core.rmem_max); the default still works, with less headroom.
    }
    let probe: Socket | undefined;
    if (options.healthCheck) {
      probe = createSocket(socketType(host));
      await bind(probe, host, 0);
    }
    const balancer = new UdpBalancer(options, front, probe);
    balancer.#listen();
    return balancer;
  }

  /** The front port devices send to. */
  get port(): number {
    return this.#front.address().port;
  }

  get backendCount(): number {
    return this.#backends.length;
  }

  isLive(index: number): boolean {
    return this.#backend(index).live;
  }

  /** Backend a device is pinned to, or undefined when it has sent nothing yet. */
  backendOf(address: string, port: number): number | undefined {
    return this.#flows.get(`${address}|${port}`)?.backend;
  }

  flows(): BalancerFlow[] {
    return [...this.#flows.values()].map((f) => ({
      address: f.address,
      port: f.port,
      backend: f.backend,
      upstreamPort: this.#upstreamPort(f),
    }));
  }

  stats(): BalancerStats {
    return { ...this.#stats, flows: this.#flows.size };
  }

  /** Marks a backend dead (a node known to be gone): its devices move to live backends at once. */
  removeBackend(index: number): void {
    const backend = this.#backend(index);
    backend.downByProbe = false;
    this.#setLive(index, false);
  }

  /** Lets new devices (and devices moved off dead backends) go to this backend again. */
  restoreBackend(index: number): void {
    const backend = this.#backend(index);
    backend.downByProbe = false;
    backend.missedProbes = 0;
    this.#setLive(index, true);
  }

  /**
   * One probe round: a CoAP ping to every backend, answered by an RST within `timeoutMs`, or
   * counted as missed. `failures` misses in a row take a backend down; an answer brings back a
   * backend the probe took down (not one taken out by `removeBackend`). Returns liveness.
   */
  checkBackends(): Promise<readonly boolean[]> {
    this.#probeRound ??= this.#runProbeRound().finally(() => {
      this.#probeRound = undefined;
    });
    return this.#probeRound;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const sockets = [
      this.#front,
      ...(this.#probe ? [this.#probe] : []),
      ...[...this.#flows.values()].map((f) => f.socket),
    ];
    this.#flows.clear();
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            try {
              s.close(() => resolve());
            } catch {
              resolve(); // already closed
            }
          }),
      ),
    );
  }

  #listen(): void {
    this.#front.on('message', (msg, rinfo) => this.#fromDevice(msg, rinfo));
    this.#front.on('error', () => {
      this.#stats.sendErrors++;
    });
    if (this.#probe) {
      this.#probe.on('message', (msg, rinfo) => this.#onProbeReply(msg, rinfo));
      this.#probe.on('error', () => {});
      this.#timer = setInterval(() => void this.checkBackends(), this.#health.intervalMs);
      this.#timer.unref();
    }
  }

  #backend(index: number): Backend {
    const backend = this.#backends[index];
    if (!backend) throw new RangeError(`no backend ${index} (there are ${this.#backends.length})`);
    return backend;
  }

  #upstreamPort(flow: Flow): number | undefined {
    try {
      return flow.socket.address().port;
    } catch {
      return undefined; // not bound yet
    }
  }

  #setLive(index: number, live: boolean): void {
    const backend = this.#backend(index);
    if (backend.live === live) return;
    backend.live = live;
    if (!live) for (const flow of this.#flows.values()) if (flow.backend === index) this.#reroute(flow);
    this.#onChange?.(index, live);
  }

  /** The live backend with the fewest devices (lowest index on ties), or -1. */
  #pickBackend(): number {
    let best = -1;
    for (let i = 0; i < this.#backends.length; i++) {
      const b = this.#backends[i]!;
      if (b.live && (best < 0 || b.flows < this.#backends[best]!.flows)) best = i;
    }
    return best;
  }

  #reroute(flow: Flow): boolean {
    const next = this.#pickBackend();
    if (next < 0) return false;
    this.#backends[flow.backend]!.flows--;
    flow.backend = next;
    this.#backends[next]!.flows++;
    this.#stats.rerouted++;
    return true;
  }

  #fromDevice(msg: Buffer, rinfo: RemoteInfo): void {
    if (msg.length > this.#maxBytes) {
      this.#stats.droppedOversized++;
      return;
    }
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.#flows.get(key);
    if (!flow) {
      if (this.#flows.size >= this.#maxFlows) {
        this.#stats.droppedFlowLimit++;
        return;
      }
      const backend = this.#pickBackend();
      if (backend < 0) {
        this.#stats.droppedNoBackend++;
        return;
      }
      flow = this.#openFlow(rinfo, backend);
    } else if (!this.#backends[flow.backend]!.live && !this.#reroute(flow)) {
      this.#stats.droppedNoBackend++;
      return;
    }
    const target = this.#backends[flow.backend]!;
    this.#stats.toBackend++;
    // Sending before the bind completes is fine: node queues it until the socket is bound.
    flow.socket.send(msg, target.port, target.host, (error) => {
      if (error) this.#stats.sendErrors++;
    });
  }

  #openFlow(rinfo: RemoteInfo, backend: number): Flow {
    const socket = createSocket(socketType(this.host));
    const flow: Flow = { address: rinfo.address, port: rinfo.port, backend, socket };
    this.#flows.set(`${rinfo.address}|${rinfo.port}`, flow);
    this.#backends[backend]!.flows++;
    socket.on('error', () => {
      this.#stats.sendErrors++;
    });
    socket.on('message', (msg, from) => this.#fromBackend(flow, msg, from));
    socket.bind({ address: this.host, port: 0 });
    return flow;
  }

  #fromBackend(flow: Flow, msg: Buffer, from: RemoteInfo): void {
    // Any backend may talk to the device (the new owner after a failover, a forwarding node).
    if (!this.#backends.some((b) => b.port === from.port && b.host === from.address)) {
      this.#stats.droppedForeign++;
      return;
    }
    if (msg.length > this.#maxBytes) {
      this.#stats.droppedOversized++;
      return;
    }
    this.#stats.toDevice++;
    this.#front.send(msg, flow.port, flow.address, (error) => {
      if (error) this.#stats.sendErrors++;
    });
  }

  async #runProbeRound(): Promise<readonly boolean[]> {
    const probe = this.#probe;
    if (!probe || this.#closed) return this.#backends.map((b) => b.live);
    const mids = this.#backends.map((backend, index) => {
      const mid = this.#probeMid;
      this.#probeMid = (this.#probeMid + 1) & 0xffff;
      this.#pendingProbes.set(mid, index);
      probe.send(encodePing(mid), backend.port, backend.host, () => {});
      return mid;
    });
    await new Promise((resolve) => setTimeout(resolve, this.#health.timeoutMs));
    mids.forEach((mid, index) => {
      this.#pendingProbes.delete(mid);
      const backend = this.#backends[index]!;
      if (this.#answeredProbes.delete(mid)) {
        backend.missedProbes = 0;
        if (!backend.live && backend.downByProbe) {
          backend.downByProbe = false;
          this.#setLive(index, true);
        }
      } else if (++backend.missedProbes >= this.#health.failures && backend.live) {
        backend.downByProbe = true;
        this.#setLive(index, false);
      }
    });
    return this.#backends.map((b) => b.live);
  }

  #onProbeReply(msg: Buffer, from: RemoteInfo): void {
    if (msg.length < 4) return;
    const mid = msg.readUInt16BE(2);
    const index = this.#pendingProbes.get(mid);
    if (index === undefined) return;
    const backend = this.#backends[index]!;
    if (backend.port !== from.port || backend.host !== from.address || !isResetFor(msg, mid)) return;
    this.#answeredProbes.add(mid);
  }
}
