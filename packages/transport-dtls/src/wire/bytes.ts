/** Minimal big-endian reader/writer for DTLS structures. Readers throw DtlsDecodeError on short input. */

export class DtlsDecodeError extends Error {
  override readonly name = 'DtlsDecodeError';
}

export class ByteReader {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.buf.length) throw new DtlsDecodeError(`truncated ${what} at offset ${this.offset}`);
  }

  u8(what = 'uint8'): number {
    this.need(1, what);
    return this.buf[this.offset++]!;
  }

  u16(what = 'uint16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u24(what = 'uint24'): number {
    this.need(3, what);
    const v = this.buf.readUIntBE(this.offset, 3);
    this.offset += 3;
    return v;
  }

  u48(what = 'uint48'): number {
    this.need(6, what);
    const v = this.buf.readUIntBE(this.offset, 6);
    this.offset += 6;
    return v;
  }

  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** Length-prefixed vector; `lenBytes` is 1, 2 or 3. */
  vec(lenBytes: 1 | 2 | 3, what = 'vector'): Buffer {
    const n = lenBytes === 1 ? this.u8(what) : lenBytes === 2 ? this.u16(what) : this.u24(what);
    return this.bytes(n, what);
  }

  rest(): Buffer {
    const v = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return v;
  }

  expectEnd(what: string): void {
    if (this.offset !== this.buf.length) throw new DtlsDecodeError(`trailing bytes in ${what}`);
  }
}

export class ByteWriter {
  private parts: Buffer[] = [];
  length = 0;

  private push(b: Buffer): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  u8(v: number): this {
    return this.push(Buffer.from([v & 0xff]));
  }

  u16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16BE(v);
    return this.push(b);
  }

  u24(v: number): this {
    const b = Buffer.allocUnsafe(3);
    b.writeUIntBE(v, 0, 3);
    return this.push(b);
  }

  u48(v: number): this {
    const b = Buffer.allocUnsafe(6);
    b.writeUIntBE(v, 0, 6);
    return this.push(b);
  }

  bytes(b: Uint8Array): this {
    return this.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  }

  vec(lenBytes: 1 | 2 | 3, b: Uint8Array): this {
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    if (b.length > max) throw new RangeError(`vector too long (${b.length} > ${max})`);
    if (lenBytes === 1) this.u8(b.length);
    else if (lenBytes === 2) this.u16(b.length);
    else this.u24(b.length);
    return this.bytes(b);
  }

  finish(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
  }
}

export const toBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
