/**
 * What to answer to a datagram that failed to decode (RFC 7252 §4.2, §5.4.1): a CON request with
 * a bad (e.g. unrecognized critical) option gets a piggybacked 4.02 with a diagnostic, any other
 * malformed CON gets RST, everything else is silently dropped.
 */
import { CoapCode, type CodecError, createMessage, encodeUdp, MessageType } from '@lwm2m-ts/codec';

export function rejectMalformed(frame: Uint8Array, error: CodecError): Uint8Array | undefined {
  if (frame.length < 4) return undefined;
  const b0 = frame[0]!;
  if (b0 >> 6 !== 1) return undefined; // unknown version: silently ignore
  if (((b0 >> 4) & 3) !== MessageType.CON) return undefined;
  const messageId = (frame[2]! << 8) | frame[3]!;
  const code = frame[1]!;
  const tkl = b0 & 0x0f;
  const isRequest = code >> 5 === 0 && code !== 0;
  if (isRequest && tkl <= 8 && frame.length >= 4 + tkl && error.responseCode === CoapCode.BAD_OPTION) {
    return encodeUdp(
      createMessage({
        type: MessageType.ACK,
        code: CoapCode.BAD_OPTION,
        messageId,
        token: frame.slice(4, 4 + tkl),
        payload: new TextEncoder().encode(error.message.slice(0, 128)),
      }),
    );
  }
  return encodeUdp(createMessage({ type: MessageType.RST, code: CoapCode.EMPTY, messageId }));
}
