// Core (protocol-free)

// Bootstrap
export * from './bootstrap/bootstrap-config';
export * from './bootstrap/bootstrap-config-store';
export * from './bootstrap/bootstrap-instances';
export * from './bootstrap/bootstrap-service';
export * from './coap/coap-downlink-sender';
// CoAP adapter
export * from './coap/content-codecs';
export * from './coap/create-bootstrap-server';
export * from './coap/create-lwm2m-server';
export * from './coap/registration-routes';
export * from './coap/send-route';
export * from './core/clock';
export * from './core/errors/client-sleeping-error';
export * from './core/errors/request-timeout-error';
export * from './core/errors/unknown-endpoint-error';
export * from './core/event-emitter';
export * from './core/id-generator';
export * from './core/manual-clock';
export * from './core/peer';
export * from './core/response-code';
export * from './observation/notification';
export * from './observation/notification-stream';
export * from './observation/observation';
export * from './observation/observation-handle';
export * from './observation/observation-service';
export * from './observation/observation-store';
export * from './queue/presence-service';
export * from './queue/queue-service';
export * from './queue/request-queue';
export * from './registration/object-links';
export * from './registration/registration';
export * from './registration/registration-requests';
export * from './registration/registration-service';
export * from './registration/registration-store';
export * from './request/discovered-link';
export * from './request/downlink-requests';
export * from './request/downlink-responses';
export * from './request/request-builders';
export * from './request/request-json';
export * from './security/registration-authorizer';
export * from './security/security-info';
export * from './security/security-store';
export * from './server/downlink-sender';
export * from './server/lwm2m-server';
export * from './server/server-events';
