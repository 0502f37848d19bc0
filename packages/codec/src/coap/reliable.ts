/**
 * RFC 8323 framing: §3.2 (TCP/TLS: Len nibble with 13/14/15 extended length) and §4.2
 * (WebSockets: Len always 0, the frame carries the length). No type, no message id: decoded
 * messages have type CON and message id 0, and both are ignored on encode.
 */
import { CodecError } from '../codec-error';
import { type CoapMessage, MessageType } from './message';
import { decodeOptionsAndPayload, optionsAndPayloadSize, sortOptions, writeOptionsAndPayload } from './options-codec';
import { checkCode, checkToken, MAX_TOKEN_LENGTH } from './udp';

export type ReliableFraming = 'tcp' | 'ws';

const EMPTY: Uint8Array = new Uint8Array(0);

export function encodeReliable(msg: CoapMessage, framing: ReliableFraming): Uint8Array {
  const { code, token, payload } = msg;
  checkCode(code);
  checkToken(token);
  const options = sortOptions(msg.options);
  const bodyLen = optionsAndPayloadSize(options, payload);
  const tkl = token.length;
  let lenNibble: number;
  let ext: number;
  if (framing === 'ws') {
    lenNibble = 0;
    ext = 0;
  } else if (bodyLen < 13) {
    lenNibble = bodyLen;
    ext = 0;
  } else if (bodyLen < 269) {
    lenNibble = 13;
    ext = 1;
  } else if (bodyLen < 65805) {
    lenNibble = 14;
    ext = 2;
  } else {
    lenNibble = 15;
    ext = 4;
  }
  const out = new Uint8Array(2 + ext + tkl + bodyLen);
  out[0] = (lenNibble << 4) | tkl;
  if (ext === 1) out[1] = bodyLen - 13;
  else if (ext === 2) {
    const v = bodyLen - 269;
    out[1] = v >>> 8;
    out[2] = v & 0xff;
  } else if (ext === 4) {
    const v = bodyLen - 65805;
    out[1] = v >>> 24;
    out[2] = (v >>> 16) & 0xff;
    out[3] = (v >>> 8) & 0xff;
    out[4] = v & 0xff;
  }
  out[1 + ext] = code;
  if (tkl > 0) out.set(token, 2 + ext);
  writeOptionsAndPayload(out, 2 + ext + tkl, options, payload);
  return out;
}

const EXT_BYTES = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4] as const;

/**
 * TCP stream splitting: the total length of the first frame in `bytes` once its length header
 * is complete, undefined while more bytes are needed. Throws CodecError on an invalid header.
 */
export function reliableFrameLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < 1) return undefined;
  const b0 = bytes[0]!;
  const tkl = b0 & 0x0f;
  if (tkl > MAX_TOKEN_LENGTH) throw new CodecError(`reserved token length ${tkl}`, { offset: 0 });
  const lenNibble = b0 >>> 4;
  const ext = EXT_BYTES[lenNibble]!;
  if (bytes.length < 1 + ext) return undefined;
  let bodyLen: number;
  if (ext === 0) bodyLen = lenNibble;
  else if (ext === 1) bodyLen = bytes[1]! + 13;
  else if (ext === 2) bodyLen = ((bytes[1]! << 8) | bytes[2]!) + 269;
  else bodyLen = ((bytes[1]! << 24) >>> 0) + ((bytes[2]! << 16) | (bytes[3]! << 8) | bytes[4]!) + 65805;
  return 2 + ext + tkl + bodyLen;
}

export function decodeReliable(bytes: Uint8Array, framing: ReliableFraming): CoapMessage {
  const n = bytes.length;
  if (n < 2) throw new CodecError(`message too short: ${n} bytes`, { offset: n });
  const b0 = bytes[0]!;
  const tkl = b0 & 0x0f;
  if (tkl > MAX_TOKEN_LENGTH) throw new CodecError(`reserved token length ${tkl}`, { offset: 0 });
  let headerLen: number;
  if (framing === 'ws') {
    if (b0 >>> 4 !== 0) throw new CodecError('WebSocket framing requires Len = 0', { offset: 0 });
    headerLen = 2;
  } else {
    const total = reliableFrameLength(bytes);
    if (total === undefined) throw new CodecError('truncated length header', { offset: n });
    if (total !== n) {
      throw new CodecError(`frame length ${total} does not match ${n} bytes given`, { offset: Math.min(total, n) });
    }
    headerLen = 2 + EXT_BYTES[b0 >>> 4]!;
  }
  const code = bytes[headerLen - 1]!;
  if (headerLen + tkl > n) throw new CodecError('token runs past the end', { offset: headerLen });
  const token = tkl === 0 ? EMPTY : bytes.subarray(headerLen, headerLen + tkl);
  const { options, payload } = decodeOptionsAndPayload(bytes, headerLen + tkl, n);
  return { type: MessageType.CON, code, messageId: 0, token, options, payload };
}
