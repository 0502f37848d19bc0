/**
 * One server app process (the built `apps/server/dist/bin.js`) on loopback: plain CoAP on
 * `coapPort`, the HTTP API on `httpPort`, no bootstrap and no DTLS, and with `redisUrl` a cluster
 * node. `start` resolves once the API answers; the process is stopped by its PID only.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built server bin (same relative place from src/ and from dist/); LWM2M_SERVER_BIN overrides it. */
export const SERVER_BIN =
  process.env.LWM2M_SERVER_BIN ?? fileURLToPath(new URL('../../../apps/server/dist/bin.js', import.meta.url));

/** Throws a message that says what to do when the server app is not built (or built before cluster mode). */
export function requireServerBin(bin = SERVER_BIN, needsCluster = true): string {
  if (!existsSync(bin))
    throw new Error(
      `${bin} is missing: build the server app first (\`pnpm build\`, or \`pnpm --filter @lwm2m-ts/server-app build\`)`,
    );
  if (needsCluster) {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 15_000 });
    if (!`${help.stdout}`.includes('--redis'))
      throw new Error(`${bin} has no --redis flag (built before cluster mode?): rebuild it with \`pnpm build\``);
  }
  return bin;
}

export interface ServerNodeOptions {
  readonly coapPort: number;
  readonly httpPort: number;
  /** Cluster mode: `--redis URL --node-id ID`. */
  readonly redisUrl?: string;
  readonly nodeId?: string;
  readonly bin?: string;
  readonly extraArgs?: readonly string[];
  /** Flags for node itself, before the bin (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** How long `start` waits for the API (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const OUTPUT_LIMIT = 64 * 1024;

export class ServerNode {
  readonly id: string;
  readonly coapPort: number;
  readonly httpUrl: string;
  readonly exited: Promise<ExitStatus>;
  readonly #child: ChildProcess;
  #stdout = '';
  #stderr = '';
  #exit: ExitStatus | undefined;

  private constructor(options: ServerNodeOptions) {
    this.id = options.nodeId ?? `node-${options.httpPort}`;
    this.coapPort = options.coapPort;
    this.httpUrl = `http://127.0.0.1:${options.httpPort}`;
    const args = [
      ...(options.nodeArgs ?? []),
      options.bin ?? SERVER_BIN,
      '--coap-host',
      '127.0.0.1',
      '--coap-port',
      String(options.coapPort),
      '--http-host',
      '127.0.0.1',
      '--http-port',
      String(options.httpPort),
      '--no-bootstrap',
      '--no-coaps',
      '--log-level',
      'warn',
      ...(options.redisUrl ? ['--redis', options.redisUrl, '--node-id', this.id] : []),
      ...(options.extraArgs ?? []),
    ];
    this.#child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (text: string, chunk: Buffer) => (text + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    this.#child.stdout?.on('data', (c: Buffer) => {
      this.#stdout = keep(this.#stdout, c);
    });
    this.#child.stderr?.on('data', (c: Buffer) => {
      this.#stderr = keep(this.#stderr, c);
    });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /** Spawns the process without waiting for it (e.g. to watch it fail). */
  static spawn(options: ServerNodeOptions): ServerNode {
    return new ServerNode(options);
  }

  /**
   * Spawns the process and waits until `GET /api/server` answers 200. A port another process
   * holds for a moment (a shared machine) is tried again twice, a second apart.
   */
  static async start(options: ServerNodeOptions): Promise<ServerNode> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ServerNode.#startOnce(options);
      } catch (error) {
        if (attempt >= 3 || !(error as Error).message.includes('EADDRINUSE')) throw error;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  static async #startOnce(options: ServerNodeOptions): Promise<ServerNode> {
    const node = new ServerNode(options);
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (node.#exit) throw new Error(`${node.id} exited during start (${describeExit(node.#exit)}): ${node.output()}`);
      try {
        const res = await fetch(`${node.httpUrl}/api/server`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return node;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    await node.kill('SIGKILL');
    throw new Error(`${node.id} did not answer on ${node.httpUrl} within the start timeout: ${node.output()}`);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  stderr(): string {
    return this.#stderr;
  }

  stdout(): string {
    return this.#stdout;
  }

  /** The last output of both streams, for failure messages. */
  output(): string {
    return `stdout: ${this.#stdout.slice(-2000)} | stderr: ${this.#stderr.slice(-2000)}`;
  }

  /** Sends the signal to this process's PID and waits for the exit (SIGKILL after `timeoutMs`). */
  async kill(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<ExitStatus> {
    if (this.#exit) return this.#exit;
    if (this.#child.pid !== undefined) process.kill(this.#child.pid, signal);
    const timer = setTimeout(() => {
      if (!this.#exit && this.#child.pid !== undefined) process.kill(this.#child.pid, 'SIGKILL');
    }, timeoutMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  /** Resolves with the exit status, or rejects if the process still runs after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.id} still running after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function describeExit(s: ExitStatus): string {
  return s.signal ? `signal ${s.signal}` : `exit code ${s.code}`;
}
