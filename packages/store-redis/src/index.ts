export { type ConnectRedisOptions, connectRedis, redactUrl } from './connect-redis';
export { RedisObservationStore } from './redis-observation-store';
export { RedisRegistrationStore } from './redis-registration-store';
export { RedisSecurityStore } from './redis-security-store';
export { RedisUnavailableError } from './redis-unavailable-error';
export { StoreDataError } from './store-data-error';
export { DEFAULT_PREFIX, type RedisStoreOptions, type SweepingStoreOptions } from './store-options';
export { SweepLease } from './sweep-lease';
export { decodeValue, encodeValue } from './value-codec';
