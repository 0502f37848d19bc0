/** IANA CoAP option numbers (RFC 7252, 7641, 7959, 8613, 8768, 7967, 9175, 9177). */
export const OptionNumber = {
  IF_MATCH: 1,
  URI_HOST: 3,
  ETAG: 4,
  IF_NONE_MATCH: 5,
  OBSERVE: 6,
  URI_PORT: 7,
  LOCATION_PATH: 8,
  OSCORE: 9,
  URI_PATH: 11,
  CONTENT_FORMAT: 12,
  MAX_AGE: 14,
  URI_QUERY: 15,
  HOP_LIMIT: 16,
  ACCEPT: 17,
  Q_BLOCK1: 19,
  LOCATION_QUERY: 20,
  EDHOC: 21,
  BLOCK2: 23,
  BLOCK1: 27,
  SIZE2: 28,
  Q_BLOCK2: 31,
  PROXY_URI: 35,
  PROXY_SCHEME: 39,
  SIZE1: 60,
  ECHO: 252,
  NO_RESPONSE: 258,
  REQUEST_TAG: 292,
} as const;

/** RFC 8323 §5.3–5.6 signaling option numbers (scoped to the signaling code they appear in). */
export const SignalingOption = {
  /** CSM */
  MAX_MESSAGE_SIZE: 2,
  BLOCK_WISE_TRANSFER: 4,
  /** Ping/Pong */
  CUSTODY: 2,
  /** Release */
  ALTERNATIVE_ADDRESS: 2,
  HOLD_OFF: 4,
  /** Abort */
  BAD_CSM_OPTION: 2,
} as const;

/** RFC 7252 §5.4.6: option number bits. */
export const isCritical = (n: number): boolean => (n & 1) === 1;
export const isUnsafe = (n: number): boolean => (n & 2) === 2;
export const isNoCacheKey = (n: number): boolean => (n & 0x1e) === 0x1c;
