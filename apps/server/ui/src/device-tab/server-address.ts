/** Where the tab's device connects: the CoAP-over-WebSockets endpoint of the server that served the page. */

/** ws:// for an http page, wss:// for https (browsers refuse ws:// from https pages); same host and port. */
export function coapWebSocketUrl(location: { readonly protocol: string; readonly host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/.well-known/coap`;
}

/**
 * The Security object's server URI (/0/0/0) for that WebSocket URL: coap+ws or coaps+ws with an
 * explicit port (the transport connects to the URL itself; the URI names the server).
 */
export function serverUriFor(webSocketUrl: string): string {
  const u = new URL(webSocketUrl);
  const secure = u.protocol === 'wss:';
  // URL.hostname keeps IPv6 literals in brackets, as a URI needs them.
  return `${secure ? 'coaps+ws' : 'coap+ws'}://${u.hostname}:${u.port || (secure ? 443 : 80)}`;
}
