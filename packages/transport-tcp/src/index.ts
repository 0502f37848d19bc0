export { createTcpTransport } from './tcp-transport';
export type { TcpTlsOptions, TcpTransport, TcpTransportOptions } from './tcp-transport';
export { FrameReader, FrameTooLargeError } from './frame-reader';
export { tlsPeerIdentity } from './tls-identity';
