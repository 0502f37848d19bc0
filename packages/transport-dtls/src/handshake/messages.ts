import { DTLS_1_2, HANDSHAKE_HEADER_LENGTH } from '../constants';
import { ByteReader, ByteWriter, DtlsDecodeError } from '../wire/bytes';
import { type Extensions, parseExtensions, writeExtensions } from './extensions';

/** A handshake fragment as carried in a record (RFC 6347 4.2.2). */
export interface HandshakeFragment {
  readonly msgType: number;
  readonly length: number;
  readonly messageSeq: number;
  readonly fragmentOffset: number;
  readonly body: Buffer;
}

export function parseHandshakeFragments(payload: Buffer): HandshakeFragment[] {
  const out: HandshakeFragment[] = [];
  const r = new ByteReader(payload);
  while (r.remaining > 0) {
    const msgType = r.u8('handshake type');
    const length = r.u24('handshake length');
    const messageSeq = r.u16('message_seq');
    const fragmentOffset = r.u24('fragment_offset');
    const fragmentLength = r.u24('fragment_length');
    if (fragmentOffset + fragmentLength > length) throw new DtlsDecodeError('fragment beyond message length');
    out.push({ msgType, length, messageSeq, fragmentOffset, body: r.bytes(fragmentLength, 'handshake fragment') });
  }
  return out;
}

export function encodeHandshakeFragment(
  msgType: number,
  messageSeq: number,
  body: Buffer,
  offset = 0,
  fragLength = body.length - offset,
): Buffer {
  const out = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH + fragLength);
  out[0] = msgType;
  out.writeUIntBE(body.length, 1, 3);
  out.writeUInt16BE(messageSeq, 4);
  out.writeUIntBE(offset, 6, 3);
  out.writeUIntBE(fragLength, 9, 3);
  body.copy(out, HANDSHAKE_HEADER_LENGTH, offset, offset + fragLength);
  return out;
}

export interface ClientHello {
  readonly version: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly cookie: Buffer;
  readonly cipherSuites: number[];
  readonly compressionMethods: number[];
  readonly extensions: Extensions;
}

export function parseClientHello(body: Buffer): ClientHello {
  const r = new ByteReader(body);
  const version = r.u16('client_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec(1, 'session_id');
  if (sessionId.length > 32) throw new DtlsDecodeError('session_id too long');
  const cookie = r.vec(1, 'cookie');
  const suites = new ByteReader(r.vec(2, 'cipher_suites'));
  const cipherSuites: number[] = [];
  while (suites.remaining >= 2) cipherSuites.push(suites.u16());
  const compressionMethods = [...r.vec(1, 'compression_methods')];
  const extensions = parseExtensions(r);
  r.expectEnd('ClientHello');
  return { version, random, sessionId, cookie, cipherSuites, compressionMethods, extensions };
}

export function encodeClientHello(h: Omit<ClientHello, 'version' | 'compressionMethods'>): Buffer {
  const w = new ByteWriter().u16(DTLS_1_2).bytes(h.random).vec(1, h.sessionId).vec(1, h.cookie);
  const suites = new ByteWriter();
  for (const s of h.cipherSuites) suites.u16(s);
  w.vec(2, suites.finish()).vec(1, Buffer.from([0]));
  writeExtensions(w, h.extensions);
  return w.finish();
}

/** Offsets of the cookie inside a ClientHello body, for computing the cookie over everything else. */
export function cookieOffsets(body: Buffer): { start: number; end: number } {
  const r = new ByteReader(body);
  r.bytes(34);
  r.vec(1);
  const start = r.offset;
  r.vec(1);
  return { start, end: r.offset };
}

export interface ServerHello {
  readonly version: number;
  readonly random: Buffer;
  readonly sessionId: Buffer;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: Extensions;
}

export function parseServerHello(body: Buffer): ServerHello {
  const r = new ByteReader(body);
  const version = r.u16('server_version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vec(1, 'session_id');
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('compression_method');
  const extensions = parseExtensions(r);
  r.expectEnd('ServerHello');
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}

export function encodeServerHello(h: Omit<ServerHello, 'version' | 'compressionMethod'>): Buffer {
  const w = new ByteWriter().u16(DTLS_1_2).bytes(h.random).vec(1, h.sessionId).u16(h.cipherSuite).u8(0);
  writeExtensions(w, h.extensions);
  return w.finish();
}

export function encodeHelloVerifyRequest(cookie: Buffer): Buffer {
  // RFC 6347 4.2.1: DTLS 1.0 version here regardless of the version negotiated later.
  return new ByteWriter().u16(0xfeff).vec(1, cookie).finish();
}

export function parseHelloVerifyRequest(body: Buffer): Buffer {
  const r = new ByteReader(body);
  r.u16('server_version');
  const cookie = r.vec(1, 'cookie');
  if (cookie.length > 255) throw new DtlsDecodeError('cookie too long');
  return Buffer.from(cookie);
}

/** Certificate (RFC 5246 7.4.2) or, for raw public keys, one SubjectPublicKeyInfo (RFC 7250 section 3). */
export function encodeCertificate(certs: Buffer[], rawPublicKey: boolean): Buffer {
  if (rawPublicKey) return new ByteWriter().vec(3, certs[0]!).finish();
  const list = new ByteWriter();
  for (const c of certs) list.vec(3, c);
  return new ByteWriter().vec(3, list.finish()).finish();
}

export function parseCertificate(body: Buffer, rawPublicKey: boolean): Buffer[] {
  const r = new ByteReader(body);
  if (rawPublicKey) {
    const spki = r.vec(3, 'subjectPublicKeyInfo');
    r.expectEnd('Certificate');
    return spki.length > 0 ? [spki] : [];
  }
  const list = new ByteReader(r.vec(3, 'certificate_list'));
  r.expectEnd('Certificate');
  const out: Buffer[] = [];
  while (list.remaining > 0) out.push(list.vec(3, 'ASN.1Cert'));
  return out;
}

export function encodeCertificateRequest(sigAlgs: number[]): Buffer {
  const algs = new ByteWriter();
  for (const a of sigAlgs) algs.u16(a);
  return new ByteWriter()
    .vec(1, Buffer.from([64]))
    .vec(2, algs.finish())
    .u16(0)
    .finish();
}

export function parseCertificateRequest(body: Buffer): { certTypes: number[]; sigAlgs: number[] } {
  const r = new ByteReader(body);
  const certTypes = [...r.vec(1, 'certificate_types')];
  const algs = new ByteReader(r.vec(2, 'supported_signature_algorithms'));
  const sigAlgs: number[] = [];
  while (algs.remaining >= 2) sigAlgs.push(algs.u16());
  r.vec(2, 'certificate_authorities');
  return { certTypes, sigAlgs };
}

/** digitally-signed struct: SignatureAndHashAlgorithm + signature<0..2^16-1>. */
export const encodeSigned = (alg: number, signature: Buffer): Buffer =>
  new ByteWriter().u16(alg).vec(2, signature).finish();

export function parseSigned(r: ByteReader): { alg: number; signature: Buffer } {
  const alg = r.u16('signature algorithm');
  return { alg, signature: r.vec(2, 'signature') };
}
