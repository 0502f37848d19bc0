/**
 * The CoAP message as a plain immutable value, independent of framing (UDP or RFC 8323).
 * Encoders/decoders for each framing live beside this file.
 */

/** RFC 7252 §3 message types. Meaningless on reliable transports (RFC 8323), where it is ignored. */
export const MessageType = { CON: 0, NON: 1, ACK: 2, RST: 3 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** One option instance. `value` is the raw option value; typed accessors live in options.ts. */
export interface CoapOption {
  readonly number: number;
  readonly value: Uint8Array;
}

export interface CoapMessage {
  readonly type: MessageType;
  /** Code as one byte: class << 5 | detail (e.g. 0x45 = 2.05 Content). */
  readonly code: number;
  /** 16-bit message id; 0 and unused on reliable transports. */
  readonly messageId: number;
  /** 0..8 bytes. */
  readonly token: Uint8Array;
  /** Sorted by option number (stable for repeated options). */
  readonly options: readonly CoapOption[];
  readonly payload: Uint8Array;
}

/** Request methods, response codes and signaling codes as code bytes. */
export const CoapCode = {
  EMPTY: 0x00,
  GET: 0x01,
  POST: 0x02,
  PUT: 0x03,
  DELETE: 0x04,
  FETCH: 0x05,
  PATCH: 0x06,
  IPATCH: 0x07,
  CREATED: 0x41,
  DELETED: 0x42,
  VALID: 0x43,
  CHANGED: 0x44,
  CONTENT: 0x45,
  CONTINUE: 0x5f,
  BAD_REQUEST: 0x80,
  UNAUTHORIZED: 0x81,
  BAD_OPTION: 0x82,
  FORBIDDEN: 0x83,
  NOT_FOUND: 0x84,
  METHOD_NOT_ALLOWED: 0x85,
  NOT_ACCEPTABLE: 0x86,
  REQUEST_ENTITY_INCOMPLETE: 0x88,
  CONFLICT: 0x89,
  PRECONDITION_FAILED: 0x8c,
  REQUEST_ENTITY_TOO_LARGE: 0x8d,
  UNSUPPORTED_CONTENT_FORMAT: 0x8f,
  UNPROCESSABLE_ENTITY: 0x96,
  TOO_MANY_REQUESTS: 0x9d,
  INTERNAL_SERVER_ERROR: 0xa0,
  NOT_IMPLEMENTED: 0xa1,
  BAD_GATEWAY: 0xa2,
  SERVICE_UNAVAILABLE: 0xa3,
  GATEWAY_TIMEOUT: 0xa4,
  PROXYING_NOT_SUPPORTED: 0xa5,
  HOP_LIMIT_REACHED: 0xa8,
  /** RFC 8323 signaling (class 7). */
  CSM: 0xe1,
  PING: 0xe2,
  PONG: 0xe3,
  RELEASE: 0xe4,
  ABORT: 0xe5,
} as const;
export type CoapCode = number;

export const codeClass = (code: number): number => code >> 5;
export const codeDetail = (code: number): number => code & 0x1f;
export const makeCode = (cls: number, detail: number): number => ((cls & 0x07) << 5) | (detail & 0x1f);
/** "2.05", "4.04", "0.01". */
export const formatCode = (code: number): string =>
  `${codeClass(code)}.${codeDetail(code).toString().padStart(2, '0')}`;
export const isRequestCode = (code: number): boolean => codeClass(code) === 0 && code !== 0;
export const isResponseCode = (code: number): boolean => {
  const c = codeClass(code);
  return c >= 2 && c <= 5;
};
export const isSignalingCode = (code: number): boolean => codeClass(code) === 7;
export const isSuccessCode = (code: number): boolean => codeClass(code) === 2;

const EMPTY: Uint8Array = new Uint8Array(0);

/** Builds a message value with defaults (NON? no: CON, id 0, empty token, no options, no payload). */
export function createMessage(fields: Partial<CoapMessage> & Pick<CoapMessage, 'code'>): CoapMessage {
  return {
    type: fields.type ?? MessageType.CON,
    code: fields.code,
    messageId: fields.messageId ?? 0,
    token: fields.token ?? EMPTY,
    options: fields.options ?? [],
    payload: fields.payload ?? EMPTY,
  };
}
