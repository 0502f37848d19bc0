export type { BrowserWsTransportOptions } from './browser';
export { createBrowserWsTransport } from './browser';
export { COAP_WS_PATH, COAP_WS_PROTOCOL } from './ws-peers';
export type { WsTransport, WsTransportOptions } from './ws-transport';
export { createWsTransport } from './ws-transport';
