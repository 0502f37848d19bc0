/**
 * Opens an ioredis client and waits until it is ready, for at most `connectTimeoutMs`: an
 * unreachable Redis is a `RedisUnavailableError` at start, not a hang. Once connected, the
 * client reconnects on its own (bounded back-off) and commands issued meanwhile wait in the
 * offline queue, so a Redis restart is a pause, not an outage of the stores.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesce-writes';
import { RedisUnavailableError } from './redis-unavailable-error';

export interface ConnectRedisOptions {
  /** `redis://[:password@]host:port[/db]` (or `rediss://`). */
  readonly url: string;
  /** How long to wait for the first connection. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Longest wait between reconnect attempts. Default 2000 ms. */
  readonly maxReconnectDelayMs?: number;
  /**
   * Connection errors after start (Redis down, reconnecting). ioredis reports every failed
   * attempt; without this they are dropped (commands still fail or wait as usual).
   */
  readonly onError?: (error: Error) => void;
  /**
   * Send the commands issued in one event-loop turn with one socket write (see
   * `coalesce-writes.ts`). Default true; false writes each command as ioredis issues it.
   */
  readonly coalesceWrites?: boolean;
  /** Extra ioredis options (they win over the defaults above). */
  readonly redisOptions?: RedisOptions;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export async function connectRedis(options: ConnectRedisOptions): Promise<Redis> {
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const shownUrl = redactUrl(options.url);
  let redis: Redis;
  try {
    redis = new Redis(options.url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
      ...options.redisOptions,
    });
  } catch (error) {
    throw new RedisUnavailableError(shownUrl, (error as Error).message, { cause: error });
  }
  // ioredis emits 'error' on every failed attempt; without a listener node would print them.
  let lastError: Error | undefined;
  const onError = (error: Error) => {
    lastError = error;
    options.onError?.(error);
  };
  redis.on('error', onError);
  if (options.coalesceWrites ?? true) coalesceWrites(redis);
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => resolve(true));
  });
  // The first attempt may fail; the retry strategy keeps trying until the timeout.
  redis.connect().catch(() => {});
  const connected = await ready;
  clearTimeout(timer);
  if (!connected) {
    redis.disconnect();
    throw new RedisUnavailableError(
      shownUrl,
      `no connection within ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}`,
      lastError ? { cause: lastError } : undefined,
    );
  }
  return redis;
}
