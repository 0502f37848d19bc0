import { ExtensionType } from '../constants';
import { ByteReader, ByteWriter, DtlsDecodeError } from '../wire/bytes';

/** Extensions as an ordered map type -> raw body. Duplicates are a decode error (RFC 5246 7.4.1.4). */
export type Extensions = Map<number, Buffer>;

export function parseExtensions(r: ByteReader): Extensions {
  const out: Extensions = new Map();
  if (r.remaining === 0) return out;
  const block = new ByteReader(r.vec(2, 'extensions'));
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const body = block.vec(2, 'extension body');
    if (out.has(type)) throw new DtlsDecodeError(`duplicate extension ${type}`);
    out.set(type, body);
  }
  return out;
}

export function writeExtensions(w: ByteWriter, exts: Extensions): void {
  if (exts.size === 0) return;
  const block = new ByteWriter();
  for (const [type, body] of exts) block.u16(type).vec(2, body);
  w.vec(2, block.finish());
}

export const u16List = (values: number[], lenBytes: 1 | 2 = 2): Buffer => {
  const w = new ByteWriter();
  const inner = new ByteWriter();
  for (const v of values) inner.u16(v);
  return w.vec(lenBytes, inner.finish()).finish();
};

export const u8List = (values: number[]): Buffer => Buffer.from([values.length, ...values]);

export function parseU16List(body: Buffer): number[] {
  const r = new ByteReader(body);
  const list = new ByteReader(r.vec(2, 'list'));
  const out: number[] = [];
  while (list.remaining >= 2) out.push(list.u16());
  return out;
}

export function parseU8List(body: Buffer): number[] {
  const r = new ByteReader(body);
  return [...r.vec(1, 'list')];
}

/** ConnectionId extension body: cid<0..2^8-1> (RFC 9146 section 3). */
export const encodeCidExtension = (cid: Buffer): Buffer => Buffer.concat([Buffer.from([cid.length]), cid]);
export function parseCidExtension(body: Buffer): Buffer {
  const r = new ByteReader(body);
  const cid = r.vec(1, 'connection id');
  r.expectEnd('connection_id extension');
  return Buffer.from(cid);
}

/** Empty renegotiation_info (RFC 5746): renegotiated_connection<0..255> of length 0. */
export const EMPTY_RENEGOTIATION_INFO = Buffer.from([0]);

export const has = (exts: Extensions, type: number): boolean => exts.has(type);
export { ExtensionType };
