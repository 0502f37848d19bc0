/**
 * Starts a throwaway redis-server on a free loopback port for a test file, and stops it by PID.
 * Without redis-server the Redis suites skip with a loud line, except under CI=true, where
 * `requireRedisServer()` fails the run instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const BINARY = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export const redisServerAvailable = existsSync(BINARY);

/** Call at the top of a Redis test file: true when the suite can run. */
export function requireRedisServer(suite: string): boolean {
  if (redisServerAvailable) return true;
  if (process.env.CI === 'true') throw new Error(`${BINARY} is missing: install redis-server (CI must run ${suite})`);
  console.warn(`\n!!! SKIPPING ${suite}: ${BINARY} not found (apt-get install redis-server) !!!\n`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** AOF with fsync always, so a restart keeps everything acknowledged. */
  readonly durable?: boolean;
  /** Loopback port to listen on (default: a free one). */
  readonly port?: number;
}

export class RedisServerProcess {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  readonly #durable: boolean;
  #child: ChildProcess | undefined;

  private constructor(port: number, options: RedisServerOptions) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#dir = mkdtempSync(join(tmpdir(), 'lwm2m-store-redis-'));
    this.#durable = options.durable ?? false;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(options.port ?? (await freePort()), options);
    await server.#spawn();
    return server;
  }

  async #spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir, '--save', ''];
    args.push(...(this.#durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
    const child = spawn(BINARY, args, { stdio: 'ignore' });
    this.#child = child;
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          probe.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`redis-server on port ${this.port} did not answer within 5 s`);
    } finally {
      probe.disconnect();
    }
  }

  /** Kills the server (SIGKILL: like a crash) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }

  /** Starts it again on the same port and data folder. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
