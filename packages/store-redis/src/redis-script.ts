/**
 * A Lua script run with EVALSHA, loaded on first use (and again after a Redis restart, which
 * forgets scripts). Every multi-key change in this package is one script, so it is atomic:
 * two server nodes can never interleave halfway through an index update.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArg = string | number;

export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, args: readonly ScriptArg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, 0, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.#source, 0, ...args);
    }
  }
}
