/** RFC 7252 §3 message format (UDP, DTLS). */
import { CodecError } from '../codec-error';
import type { CoapMessage, MessageType } from './message';
import { decodeOptionsAndPayload, optionsAndPayloadSize, sortOptions, writeOptionsAndPayload } from './options-codec';

const EMPTY: Uint8Array = new Uint8Array(0);
export const MAX_TOKEN_LENGTH = 8;

export function checkToken(token: Uint8Array): void {
  if (token.length > MAX_TOKEN_LENGTH) throw new CodecError(`token too long: ${token.length} bytes (max 8)`);
}

export function checkCode(code: number): void {
  if (!Number.isInteger(code) || code < 0 || code > 0xff) throw new CodecError(`code out of range: ${code}`);
}

export function encodeUdp(msg: CoapMessage): Uint8Array {
  const { type, code, messageId, token, payload } = msg;
  if (!(type >= 0 && type <= 3) || !Number.isInteger(type)) throw new CodecError(`invalid message type: ${type}`);
  checkCode(code);
  if (!Number.isInteger(messageId) || messageId < 0 || messageId > 0xffff) {
    throw new CodecError(`message id out of range: ${messageId}`);
  }
  checkToken(token);
  const options = sortOptions(msg.options);
  if (code === 0 && (token.length > 0 || options.length > 0 || payload.length > 0)) {
    throw new CodecError('empty message (0.00) must not carry a token, options or payload');
  }
  const tkl = token.length;
  const out = new Uint8Array(4 + tkl + optionsAndPayloadSize(options, payload));
  out[0] = 0x40 | (type << 4) | tkl;
  out[1] = code;
  out[2] = messageId >>> 8;
  out[3] = messageId & 0xff;
  if (tkl > 0) out.set(token, 4);
  writeOptionsAndPayload(out, 4 + tkl, options, payload);
  return out;
}

export function decodeUdp(bytes: Uint8Array): CoapMessage {
  const n = bytes.length;
  if (n < 4) throw new CodecError(`message too short: ${n} bytes (header is 4)`, { offset: n });
  const b0 = bytes[0]!;
  if (b0 >>> 6 !== 1) throw new CodecError(`unsupported CoAP version ${b0 >>> 6}`, { offset: 0 });
  const tkl = b0 & 0x0f;
  if (tkl > MAX_TOKEN_LENGTH) throw new CodecError(`reserved token length ${tkl}`, { offset: 0 });
  const code = bytes[1]!;
  if (code === 0 && (tkl !== 0 || n > 4)) {
    throw new CodecError('empty message (0.00) with token, options or payload', { offset: tkl !== 0 ? 0 : 4 });
  }
  if (4 + tkl > n) throw new CodecError('token runs past the end', { offset: 4 });
  const token = tkl === 0 ? EMPTY : bytes.subarray(4, 4 + tkl);
  const { options, payload } = decodeOptionsAndPayload(bytes, 4 + tkl, n);
  return {
    type: ((b0 >>> 4) & 3) as MessageType,
    code,
    messageId: (bytes[2]! << 8) | bytes[3]!,
    token,
    options,
    payload,
  };
}
