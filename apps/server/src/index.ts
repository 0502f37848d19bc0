export type { NodeJson } from './api/node-json';
export type { RegistrationJson } from './api/registration-json';
export { ConfigurationError, type ServerApp, type ServerAppOptions, startServerApp } from './app/start-server-app';
export type { ApiEvent, ApiEventType, CoapLogEntry } from './events/api-event';
