// The helper lives in src/testing (exported as @lwm2m-ts/store-redis/testing for the apps' tests).
export * from '../src/testing/redis-server';
