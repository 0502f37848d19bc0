export { FrameReader, FrameTooLargeError } from './frame-reader';
export type { TcpTlsOptions, TcpTransport, TcpTransportOptions } from './tcp-transport';
export { createTcpTransport } from './tcp-transport';
export { tlsPeerIdentity } from './tls-identity';
