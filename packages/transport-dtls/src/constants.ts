/** Wire constants from RFC 5246, RFC 6347, RFC 7250, RFC 7627, RFC 9146. */

export const DTLS_1_2 = 0xfefd;
export const DTLS_1_0 = 0xfeff;
export const RECORD_HEADER_LENGTH = 13;
export const HANDSHAKE_HEADER_LENGTH = 12;
/** Largest 48-bit record sequence number (RFC 6347 4.1): a sequence number never wraps within an epoch. */
export const MAX_SEQUENCE = 2 ** 48 - 1;

export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
  /** RFC 9146 record carrying a Connection ID. */
  tls12Cid: 25,
} as const;

export const HandshakeType = {
  helloRequest: 0,
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateVerify: 15,
  clientKeyExchange: 16,
  finished: 20,
} as const;

export const AlertLevel = { warning: 1, fatal: 2 } as const;

export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateExpired: 45,
  certificateUnknown: 46,
  illegalParameter: 47,
  unknownCa: 48,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  noRenegotiation: 100,
  unsupportedExtension: 110,
  unknownPskIdentity: 115,
} as const;

export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  clientCertificateType: 19,
  serverCertificateType: 20,
  extendedMasterSecret: 23,
  /** RFC 9146 (the drafts used 53). */
  connectionId: 54,
  renegotiationInfo: 0xff01,
} as const;

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746). */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
export const NAMED_CURVE_SECP256R1 = 23;
export const EC_CURVE_TYPE_NAMED = 3;
/** SignatureAndHashAlgorithm ecdsa_secp256r1_sha256: hash sha256 (4), signature ecdsa (3). */
export const SIG_ECDSA_SHA256 = 0x0403;
export const CLIENT_CERT_TYPE_ECDSA_SIGN = 64;

export const CertificateType = { x509: 0, rawPublicKey: 2 } as const;
