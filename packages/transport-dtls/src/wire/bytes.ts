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

/**
 * Writes into one growing buffer (doubling from 128 bytes) and copies the result out once in `finish()`, rather
 * than allocating a small Buffer per field and concatenating them: a handshake encodes a few dozen fields.
 */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialSize = 128) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Reserves `n` bytes and returns where they start. */
  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + n));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.length = at + n;
    return at;
  }

  u8(v: number): this {
    const at = this.reserve(1);
    this.buf[at] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    // Checked before reserving, so an out-of-range value leaves the writer as it was.
    if (!(v >= 0 && v <= 0xffff)) throw new RangeError(`uint16 out of range: ${v}`);
    const at = this.reserve(2); // before reading this.buf: reserve() may replace it
    this.buf.writeUInt16BE(v, at);
    return this;
  }

  u24(v: number): this {
    if (!(v >= 0 && v <= 0xffffff)) throw new RangeError(`uint24 out of range: ${v}`);
    const at = this.reserve(3);
    this.buf.writeUIntBE(v, at, 3);
    return this;
  }

  u48(v: number): this {
    if (!(v >= 0 && v <= 0xffffffffffff)) throw new RangeError(`uint48 out of range: ${v}`);
    const at = this.reserve(6);
    this.buf.writeUIntBE(v, at, 6);
    return this;
  }

  bytes(b: Uint8Array): this {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
    return this;
  }

  vec(lenBytes: 1 | 2 | 3, b: Uint8Array): this {
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    if (b.length > max) throw new RangeError(`vector too long (${b.length} > ${max})`);
    if (lenBytes === 1) this.u8(b.length);
    else if (lenBytes === 2) this.u16(b.length);
    else this.u24(b.length);
    return this.bytes(b);
  }

  /** The bytes written, as their own buffer (the writer may be reused or dropped). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

export const toBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
