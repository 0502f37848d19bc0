export * from './coap/index';
export * from './codec-error';
export * from './lwm2m/index';
