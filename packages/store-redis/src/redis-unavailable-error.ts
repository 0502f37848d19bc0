const marker = Symbol.for('lwm2m-ts.store-redis.redis-unavailable-error');

/** Redis could not be reached (or did not answer) within the connect timeout. */
export class RedisUnavailableError extends Error {
  readonly [marker] = true;
  readonly url: string;
  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(`Redis at ${url} is unavailable: ${reason}. Is redis-server running and the URL right?`, options);
    this.name = 'RedisUnavailableError';
    this.url = url;
  }
  static isInstance(error: unknown): error is RedisUnavailableError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
