import { isIP } from 'node:net';
import { stripBrackets } from '@lwm2m-ts/codec';

export type UdpSocketType = 'udp4' | 'udp6';

export { stripBrackets };

/** IP version of a literal (4 or 6), 0 for a host name. Zone ids (`fe80::1%eth0`) count as IPv6. */
export function ipVersion(host: string): 0 | 4 | 6 {
  const bare = stripBrackets(host);
  const v = isIP(bare);
  if (v === 4 || v === 6) return v;
  const zone = bare.indexOf('%');
  if (zone > 0 && isIP(bare.slice(0, zone)) === 6) return 6;
  return 0;
}

/** The socket type a bind host implies: IPv6 literals need udp6, everything else udp4. */
export function socketTypeForHost(host: string | undefined): UdpSocketType {
  return host !== undefined && ipVersion(host) === 6 ? 'udp6' : 'udp4';
}

/** On a dual-stack udp6 socket, IPv4 peers are addressed (and reported) as IPv4-mapped IPv6. */
export function toMappedIpv6(ipv4: string): string {
  return `::ffff:${ipv4}`;
}

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}
