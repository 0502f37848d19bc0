/**
 * CoAP ping (RFC 7252 §4.3): an empty Confirmable message (4 bytes: version 1, type CON,
 * token length 0, code 0.00, message id) that a live CoAP endpoint answers with a Reset
 * carrying the same message id. The balancer's health probe needs nothing more of CoAP.
 */

export function encodePing(messageId: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes[0] = 0x40; // version 1, CON, TKL 0
  bytes[1] = 0x00; // 0.00 Empty
  bytes.writeUInt16BE(messageId & 0xffff, 2);
  return bytes;
}

/** True for an empty RST (version 1, TKL 0, code 0.00, nothing after the header) with this message id. */
export function isResetFor(bytes: Uint8Array, messageId: number): boolean {
  return (
    bytes.length === 4 &&
    bytes[0] === 0x70 && // version 1, RST, TKL 0
    bytes[1] === 0x00 &&
    ((bytes[2]! << 8) | bytes[3]!) === (messageId & 0xffff)
  );
}
