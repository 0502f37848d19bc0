import { InMemoryBootstrapConfigStore } from '@lwm2m-ts/server';
import { RedisBootstrapConfigStore } from '../src/redis-bootstrap-config-store';
import { bootstrapConfigStoreSuite } from './suites/bootstrap-config-store-suite';
import { useRedis } from './use-redis';

bootstrapConfigStoreSuite('in-memory', async () => new InMemoryBootstrapConfigStore());

const redis = useRedis('RedisBootstrapConfigStore');
if (redis) bootstrapConfigStoreSuite('redis', async () => new RedisBootstrapConfigStore(await redis.store()));
