export { type ConnectRedisOptions, connectRedis, redactUrl } from './connect-redis';
export {
  type CreateRedisStoresOptions,
  createRedisStores,
  type RedisStores,
  redisStoresOn,
} from './create-redis-stores';
export { criterionIndexKey, DEFAULT_RD_INDEXED, rdIndexKeys } from './rd-index-keys';
export { RedisBootstrapConfigStore } from './redis-bootstrap-config-store';
export { RedisObservationStore, type RedisObservationStoreOptions } from './redis-observation-store';
export { RedisRdStore, type RedisRdStoreOptions } from './redis-rd-store';
export { RedisRegistrationStore, type RedisRegistrationStoreOptions } from './redis-registration-store';
export { RedisRequestQueueStore } from './redis-request-queue-store';
export { RedisSecurityStore } from './redis-security-store';
export { RedisUnavailableError } from './redis-unavailable-error';
export { StoreDataError } from './store-data-error';
export { DEFAULT_PREFIX, type RedisStoreOptions, type SweepingStoreOptions } from './store-options';
export { SweepLease } from './sweep-lease';
export { decodeValue, encodeValue } from './value-codec';
