/**
 * One redis-server per test file and one client; each store gets a fresh key prefix, so tests
 * never see each other's data. Returns undefined (and the file's Redis suites skip loudly) when
 * redis-server is missing outside CI.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, it } from 'vitest';
import { connectRedis } from '../src/connect-redis';
import { type RedisServerOptions, RedisServerProcess, requireRedisServer } from './redis-server';

export interface RedisFixture {
  /** Options for a store on a fresh prefix (the shared client). */
  store(): Promise<{ redis: Redis; prefix: string }>;
  /** Another client on the same server (another "node"). */
  client(): Promise<Redis>;
  server(): RedisServerProcess;
  newPrefix(): string;
}

let prefixes = 0;

export function useRedis(suite: string, options: RedisServerOptions = {}): RedisFixture | undefined {
  if (!requireRedisServer(suite)) {
    // Shows up as skipped in the report (and keeps a Redis-only file from having no tests).
    it.skip(`${suite} (redis-server not installed)`, () => {});
    return undefined;
  }
  let server: RedisServerProcess | undefined;
  let shared: Redis | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await RedisServerProcess.start(options);
  }, 20_000);
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });
  const client = async () => {
    if (!server) throw new Error('redis-server not started');
    const c = await connectRedis({ url: server.url, connectTimeoutMs: 3000 });
    clients.push(c);
    return c;
  };
  const newPrefix = () => `t${process.pid}-${++prefixes}:`;
  return {
    store: async () => {
      shared ??= await client();
      return { redis: shared, prefix: newPrefix() };
    },
    client,
    server: () => {
      if (!server) throw new Error('redis-server not started');
      return server;
    },
    newPrefix,
  };
}
