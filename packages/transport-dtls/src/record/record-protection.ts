import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { ContentType, DTLS_1_2, RECORD_HEADER_LENGTH } from '../constants';
import type { BulkCipher } from '../crypto/cipher-suites';
import { encodeRecord } from './record';

/** Keys of one direction of one epoch. Raw key bytes only: no cipher objects kept between records. */
export interface DirectionKeys {
  readonly cipher: BulkCipher;
  readonly encKey: Buffer;
  /** AEAD salt (fixed IV, 4 bytes) or empty for CBC. */
  readonly fixedIv: Buffer;
  /** HMAC-SHA256 key for CBC, empty for AEAD. */
  readonly macKey: Buffer;
}

/**
 * One direction's keys as offsets into a key block shared by both directions: an idle session then holds one
 * dedicated buffer instead of six small pooled ones (which would each pin an 8 KiB pool slab).
 */
export class KeyBlockDirection implements DirectionKeys {
  constructor(
    readonly cipher: BulkCipher,
    private readonly block: Buffer,
    private readonly macAt: number,
    private readonly macLength: number,
    private readonly encAt: number,
    private readonly ivAt: number,
    private readonly ivLength: number,
  ) {}

  get encKey(): Buffer {
    return this.block.subarray(this.encAt, this.encAt + 16);
  }

  get fixedIv(): Buffer {
    return this.block.subarray(this.ivAt, this.ivAt + this.ivLength);
  }

  get macKey(): Buffer {
    return this.block.subarray(this.macAt, this.macAt + this.macLength);
  }
}

const SEQ_PLACEHOLDER = Buffer.alloc(8, 0xff);

/**
 * Additional data (AEAD) or MAC prefix (CBC). Without CID: seq_num + type + version + length (RFC 5246 6.2.3.3).
 * With CID (RFC 9146 section 5): seq_num_placeholder + tls12_cid + cid_length + tls12_cid + version + epoch +
 * sequence_number + cid + length_of_DTLSInnerPlaintext.
 */
export function additionalData(type: number, epoch: number, seq: number, length: number, cid?: Buffer): Buffer {
  if (!cid) {
    const ad = Buffer.allocUnsafe(13);
    ad.writeUInt16BE(epoch, 0);
    ad.writeUIntBE(seq, 2, 6);
    ad[8] = type;
    ad.writeUInt16BE(DTLS_1_2, 9);
    ad.writeUInt16BE(length, 11);
    return ad;
  }
  const ad = Buffer.allocUnsafe(23 + cid.length);
  SEQ_PLACEHOLDER.copy(ad, 0);
  ad[8] = ContentType.tls12Cid;
  ad[9] = cid.length;
  ad[10] = ContentType.tls12Cid;
  ad.writeUInt16BE(DTLS_1_2, 11);
  ad.writeUInt16BE(epoch, 13);
  ad.writeUIntBE(seq, 15, 6);
  cid.copy(ad, 21);
  ad.writeUInt16BE(length, 21 + cid.length);
  return ad;
}

const aeadAlgorithm = (c: BulkCipher) => (c === 'aes-128-ccm8' ? 'aes-128-ccm' : 'aes-128-gcm');
const tagLength = (c: BulkCipher) => (c === 'aes-128-ccm8' ? 8 : 16);

/**
 * Scratch for the nonce and the CID-less additional data of one record. node:crypto copies the IV when the cipher
 * is created and consumes the AAD in setAAD, both synchronously, so these hold nothing between calls: they only
 * spare two allocations per record.
 */
const NONCE = Buffer.allocUnsafeSlow(12);
const AAD = Buffer.allocUnsafeSlow(13);

/** fixed_iv (4) + explicit nonce (8) into the scratch nonce. */
function nonceFor(keys: DirectionKeys, explicit: Buffer, explicitAt = 0): Buffer {
  keys.fixedIv.copy(NONCE, 0);
  explicit.copy(NONCE, 4, explicitAt, explicitAt + 8);
  return NONCE;
}

/** Additional data into the scratch buffer when there is no CID (the common case), else a new buffer. */
function aadFor(type: number, epoch: number, seq: number, length: number, cid: Buffer | undefined): Buffer {
  if (cid) return additionalData(type, epoch, seq, length, cid);
  AAD.writeUInt16BE(epoch, 0);
  AAD.writeUIntBE(seq, 2, 6);
  AAD[8] = type;
  AAD.writeUInt16BE(DTLS_1_2, 9);
  AAD.writeUInt16BE(length, 11);
  return AAD;
}

/**
 * Seals `content` into a complete record (header, optional CID, fragment) in one buffer: for the AEAD suites the
 * ciphertext and tag are copied straight into the datagram, with no intermediate fragment. Same bytes as
 * `encodeRecord(sealRecord(...))`, which CBC still goes through.
 */
export function protectRecord(
  keys: DirectionKeys,
  type: number,
  epoch: number,
  seq: number,
  content: Buffer,
  cid: Buffer | undefined,
  randomIv: (n: number) => Buffer,
): Buffer {
  if (keys.cipher === 'aes-128-cbc-sha256') {
    const sealed = sealRecord(keys, type, epoch, seq, content, cid, randomIv);
    return encodeRecord(sealed.type, epoch, seq, sealed.fragment, cid);
  }
  const outerType = cid ? ContentType.tls12Cid : type;
  const plain = cid ? Buffer.concat([content, Buffer.of(type)]) : content;
  const tagLen = tagLength(keys.cipher);
  const cidLen = cid?.length ?? 0;
  const fragmentAt = RECORD_HEADER_LENGTH + cidLen;
  const fragmentLength = 8 + plain.length + tagLen;
  const out = Buffer.allocUnsafe(fragmentAt + fragmentLength);
  out[0] = outerType;
  out.writeUInt16BE(DTLS_1_2, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(seq, 5, 6);
  if (cid) cid.copy(out, 11);
  out.writeUInt16BE(fragmentLength, 11 + cidLen);
  // The explicit nonce is epoch + sequence number, the same 8 bytes as in the header.
  out.copy(out, fragmentAt, 3, 11);
  const nonce = nonceFor(keys, out, 3);
  const c =
    keys.cipher === 'aes-128-ccm8'
      ? createCipheriv('aes-128-ccm', keys.encKey, nonce, { authTagLength: 8 })
      : createCipheriv('aes-128-gcm', keys.encKey, nonce);
  c.setAAD(aadFor(outerType, epoch, seq, plain.length, cid), { plaintextLength: plain.length });
  const body = c.update(plain);
  c.final();
  body.copy(out, fragmentAt + 8);
  c.getAuthTag().copy(out, fragmentAt + 8 + plain.length);
  return out;
}

/**
 * Protects `content` of inner type `type`. With a CID the inner plaintext gets the real type appended and the
 * outer type becomes tls12_cid. Returns the outer type and the record payload (fragment).
 */
export function sealRecord(
  keys: DirectionKeys,
  type: number,
  epoch: number,
  seq: number,
  content: Buffer,
  cid: Buffer | undefined,
  randomIv: (n: number) => Buffer,
): { type: number; fragment: Buffer } {
  const outerType = cid ? ContentType.tls12Cid : type;
  const plain = cid ? Buffer.concat([content, Buffer.from([type])]) : content;
  const ad = additionalData(outerType, epoch, seq, plain.length, cid);
  if (keys.cipher === 'aes-128-cbc-sha256') {
    const mac = createHmac('sha256', keys.macKey).update(ad).update(plain).digest();
    const unpadded = plain.length + mac.length;
    const padLen = 15 - (unpadded % 16);
    const padded = Buffer.allocUnsafe(unpadded + padLen + 1);
    plain.copy(padded, 0);
    mac.copy(padded, plain.length);
    padded.fill(padLen, unpadded);
    const iv = randomIv(16);
    const c = createCipheriv('aes-128-cbc', keys.encKey, iv).setAutoPadding(false);
    return { type: outerType, fragment: Buffer.concat([iv, c.update(padded), c.final()]) };
  }
  const explicit = explicitNonce(epoch, seq);
  const alg = aeadAlgorithm(keys.cipher);
  const c =
    alg === 'aes-128-ccm'
      ? createCipheriv('aes-128-ccm', keys.encKey, nonceFor(keys, explicit), { authTagLength: 8 })
      : createCipheriv('aes-128-gcm', keys.encKey, nonceFor(keys, explicit));
  c.setAAD(ad, { plaintextLength: plain.length });
  const body = c.update(plain);
  c.final();
  return { type: outerType, fragment: Buffer.concat([explicit, body, c.getAuthTag()]) };
}

function explicitNonce(epoch: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt16BE(epoch, 0);
  b.writeUIntBE(seq, 2, 6);
  return b;
}

/** Authenticates and decrypts one record; undefined if it does not authenticate (caller drops it silently). */
export function openRecord(
  keys: DirectionKeys,
  outerType: number,
  epoch: number,
  seq: number,
  fragment: Buffer,
  cid: Buffer | undefined,
): { type: number; content: Buffer } | undefined {
  let plain: Buffer;
  if (keys.cipher === 'aes-128-cbc-sha256') {
    if (fragment.length < 16 + 48 || fragment.length % 16 !== 0) return undefined;
    let padded: Buffer;
    try {
      const d = createDecipheriv('aes-128-cbc', keys.encKey, fragment.subarray(0, 16)).setAutoPadding(false);
      padded = Buffer.concat([d.update(fragment.subarray(16)), d.final()]);
    } catch {
      return undefined;
    }
    const padLen = padded[padded.length - 1]!;
    // Check every padding byte and always compute the MAC, so a bad pad and a bad MAC cost about the same.
    let padOk = padLen + 1 + 32 <= padded.length;
    const effectivePad = padOk ? padLen : 0;
    for (let i = padded.length - 1 - effectivePad; i < padded.length; i++)
      if (padded[i] !== effectivePad) padOk = false;
    const plainLen = padded.length - effectivePad - 1 - 32;
    if (plainLen < 0) return undefined;
    plain = padded.subarray(0, plainLen);
    const ad = additionalData(outerType, epoch, seq, plainLen, cid);
    const mac = createHmac('sha256', keys.macKey).update(ad).update(plain).digest();
    const macOk = timingSafeEqual(mac, padded.subarray(plainLen, plainLen + 32));
    if (!padOk || !macOk) return undefined;
  } else {
    const tagLen = tagLength(keys.cipher);
    if (fragment.length < 8 + tagLen) return undefined;
    const explicit = fragment.subarray(0, 8);
    const body = fragment.subarray(8, fragment.length - tagLen);
    const tag = fragment.subarray(fragment.length - tagLen);
    const ad = aadFor(outerType, epoch, seq, body.length, cid);
    try {
      const d =
        keys.cipher === 'aes-128-ccm8'
          ? createDecipheriv('aes-128-ccm', keys.encKey, nonceFor(keys, explicit), { authTagLength: 8 })
          : createDecipheriv('aes-128-gcm', keys.encKey, nonceFor(keys, explicit));
      d.setAuthTag(tag);
      d.setAAD(ad, { plaintextLength: body.length });
      plain = d.update(body);
      d.final();
    } catch {
      return undefined;
    }
  }
  if (!cid) return { type: outerType, content: plain };
  // DTLSInnerPlaintext: content, real_type, zero padding.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (end < 0) return undefined;
  return { type: plain[end]!, content: plain.subarray(0, end) };
}
