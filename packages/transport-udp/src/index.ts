export type { UdpSocketType } from './address';
export { ipVersion, socketTypeForHost, stripBrackets } from './address';
export type { UdpTransport, UdpTransportOptions } from './udp-transport';
export {
  createUdpTransport,
  DEFAULT_RECEIVE_BUFFER_SIZE,
  DEFAULT_SEND_BUFFER_SIZE,
  MAX_UDP_PAYLOAD,
} from './udp-transport';
export { UdpTransportError } from './udp-transport-error';
