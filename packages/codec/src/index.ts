export * from './codec-error';
export * from './coap/index';
export * from './lwm2m/index';
