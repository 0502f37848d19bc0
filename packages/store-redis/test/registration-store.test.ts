import { InMemoryRegistrationStore } from '@lwm2m-ts/server';
import { RedisRegistrationStore } from '../src/redis-registration-store';
import { registrationStoreSuite } from './suites/registration-store-suite';
import { useRedis } from './use-redis';

registrationStoreSuite('in-memory', async () => new InMemoryRegistrationStore());

const redis = useRedis('RedisRegistrationStore');
if (redis) registrationStoreSuite('redis', async () => new RedisRegistrationStore(await redis.store()));
