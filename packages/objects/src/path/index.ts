export * from './lwm2m-path';
