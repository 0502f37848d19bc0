/** Test utilities: a throwaway redis-server on a loopback port (for this package's and the apps' tests). */
export {
  freePort,
  type RedisServerOptions,
  RedisServerProcess,
  redisServerAvailable,
  requireRedisServer,
} from './redis-server';
