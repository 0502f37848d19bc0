/**
 * Internal test hooks of `DtlsTransport`, keyed by a symbol that the package index does not export: tests reach a
 * connection (e.g. to start a session with its sequence counter near 2^48 - 1) without widening the public API.
 */
export const CONNECTION_OF = Symbol('@lwm2m-ts/transport-dtls/connection-of');
