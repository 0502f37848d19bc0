export { createWsTransport } from './ws-transport';
export type { WsTransport, WsTransportOptions } from './ws-transport';
export { createBrowserWsTransport } from './browser';
export type { BrowserWsTransportOptions } from './browser';
export { COAP_WS_PATH, COAP_WS_PROTOCOL } from './ws-peers';
