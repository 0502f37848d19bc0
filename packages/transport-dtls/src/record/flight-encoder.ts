import { ContentType, HANDSHAKE_HEADER_LENGTH, HandshakeType } from '../constants';
import type { FlightItem } from '../handshake/handshake-base';
import { encodeHandshakeFragment } from '../handshake/messages';
import { recordOverhead } from './record';

/**
 * Turns a flight into datagrams no larger than `mtu`: handshake messages are fragmented to fit (RFC 6347
 * 4.2.3), records are packed several to a datagram. `protect(type, epoch, content)` seals one record.
 */
export function encodeFlight(
  items: readonly FlightItem[],
  mtu: number,
  protect: (type: number, epoch: number, content: Buffer) => Buffer,
  cipher: string,
  cidLength: number,
): Buffer[] {
  const datagrams: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  const push = (rec: Buffer) => {
    if (size > 0 && size + rec.length > mtu) {
      datagrams.push(Buffer.concat(current, size));
      current = [];
      size = 0;
    }
    current.push(rec);
    size += rec.length;
  };
  for (const item of items) {
    if (item.kind === 'ccs') {
      push(protect(ContentType.changeCipherSpec, 0, Buffer.from([1])));
      continue;
    }
    const overhead = item.epoch === 0 ? recordOverhead(undefined, 0) : recordOverhead(cipher, cidLength);
    // A ClientHello is never fragmented: servers answer it statelessly and cannot reassemble it.
    const maxFrag =
      item.type === HandshakeType.clientHello
        ? item.body.length
        : Math.max(64, mtu - overhead - HANDSHAKE_HEADER_LENGTH);
    let offset = 0;
    do {
      const len = Math.min(maxFrag, item.body.length - offset);
      const frag = encodeHandshakeFragment(item.type, item.seq, item.body, offset, len);
      push(protect(ContentType.handshake, item.epoch, frag));
      offset += len;
    } while (offset < item.body.length);
  }
  if (size > 0) datagrams.push(Buffer.concat(current, size));
  return datagrams;
}
