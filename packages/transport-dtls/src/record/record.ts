import { ContentType, DTLS_1_0, DTLS_1_2, RECORD_HEADER_LENGTH } from '../constants';

/** One DTLS record as read off the wire (RFC 6347 4.1, RFC 9146 section 4). */
export interface DtlsRecord {
  /** Outer content type (25 for a CID record). */
  readonly type: number;
  readonly version: number;
  readonly epoch: number;
  /** 48-bit sequence number. */
  readonly seq: number;
  readonly cid?: Buffer;
  readonly fragment: Buffer;
}

/**
 * Splits a datagram into records. `cidLength` is the length of the Connection IDs this endpoint issues
 * (they are not length-prefixed on the wire). Parsing stops silently at the first malformed record:
 * RFC 6347 says bad records are discarded, never answered.
 */
export function parseRecords(datagram: Buffer, cidLength: number): DtlsRecord[] {
  const out: DtlsRecord[] = [];
  let off = 0;
  while (off + RECORD_HEADER_LENGTH <= datagram.length) {
    const type = datagram[off]!;
    const version = datagram.readUInt16BE(off + 1);
    if (version !== DTLS_1_2 && version !== DTLS_1_0) break;
    if (type < ContentType.changeCipherSpec || type > ContentType.tls12Cid) break;
    const epoch = datagram.readUInt16BE(off + 3);
    const seq = datagram.readUIntBE(off + 5, 6);
    let p = off + 11;
    let cid: Buffer | undefined;
    if (type === ContentType.tls12Cid) {
      if (cidLength === 0 || p + cidLength + 2 > datagram.length) break;
      cid = datagram.subarray(p, p + cidLength);
      p += cidLength;
    }
    const length = datagram.readUInt16BE(p);
    p += 2;
    if (p + length > datagram.length || length > 16384 + 2048) break;
    const fragment = datagram.subarray(p, p + length);
    out.push(cid ? { type, version, epoch, seq, cid, fragment } : { type, version, epoch, seq, fragment });
    off = p + length;
  }
  return out;
}

/** Header + payload of one outgoing record; `cid` only for tls12_cid records. */
export function encodeRecord(type: number, epoch: number, seq: number, payload: Buffer, cid?: Buffer): Buffer {
  const cidLen = cid?.length ?? 0;
  const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + cidLen + payload.length);
  out[0] = type;
  out.writeUInt16BE(DTLS_1_2, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(seq, 5, 6);
  if (cid) cid.copy(out, 11);
  out.writeUInt16BE(payload.length, 11 + cidLen);
  payload.copy(out, RECORD_HEADER_LENGTH + cidLen);
  return out;
}

/** Record overhead for planning fragments: header, CID, explicit nonce or IV, tag or MAC + padding, inner type. */
export function recordOverhead(cipher: string | undefined, cidLength: number): number {
  const base = RECORD_HEADER_LENGTH + cidLength + (cidLength > 0 ? 1 : 0);
  if (!cipher) return base;
  if (cipher === 'aes-128-cbc-sha256') return base + 16 + 32 + 16;
  return base + 8 + (cipher === 'aes-128-gcm' ? 16 : 8);
}
