export { type BlockwiseOptions, DEFAULT_BLOCKWISE } from './blockwise/blockwise-layer';
export type { ObserveOptions, PeerTarget, RequestCommon, RequestOptions, UriTarget } from './client/request-options';
export { type Clock, systemClock } from './clock';
export { DEFAULT_TRANSMISSION, type DerivedTimes, deriveTimes, type TransmissionParameters } from './config';
export { Endpoint, type EndpointOptions } from './endpoint';
export { CoapClosedError } from './errors/coap-closed-error';
export { CoapError } from './errors/coap-error';
export { CoapResetError } from './errors/coap-reset-error';
export { CoapSendError } from './errors/coap-send-error';
export { CoapTimeoutError } from './errors/coap-timeout-error';
export {
  createMessageIdGenerator,
  createTokenGenerator,
  type MessageIdGenerator,
  type Random,
  type TokenGenerator,
} from './ids';
export {
  isLayerRejection,
  isLayerRetry,
  type Layer,
  type LayerContext,
  type LayerOutcome,
  type LayerRejection,
  type LayerRetry,
  type MessageLayer,
} from './layer';
export { type Method, methodCode, methodName } from './method';
export { isNewerNotification } from './observe/notification-order';
export { Observation } from './observe/observation';
export { DEFAULT_OBSERVE, type ObserveServerOptions } from './observe/observe-server';
export type { CoapRequest } from './request';
export { CoapResponse, type CoapResponseInit } from './response';
export { DEFAULT_OPTION_CHECKS, type OptionChecks } from './server/option-checks';
export {
  type Handler,
  type ResourceAttributes,
  type ResourceDefinition,
  type Route,
  type RouteMatch,
  Router,
} from './server/router';
export { routerLinks, WELL_KNOWN_CORE } from './server/well-known-core';
export { DEFAULT_SIGNALING, type SignalingOptions } from './signaling/signaling-layer';
export * from './transport';
export { type TransportTap, tapTransport } from './transport-tap';
