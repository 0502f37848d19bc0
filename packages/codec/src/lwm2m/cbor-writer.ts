/**
 * A small deterministic CBOR writer (RFC 8949) for the SenML-CBOR and LwM2M CBOR encoders.
 * Written here rather than going through cbor-x because these formats need exact control of the
 * bytes: integer keys, integers in their shortest form, 64-bit values as bigint, and floats in the
 * smallest width that holds the value exactly (half, single, double) so re-encoding a peer's
 * payload reproduces it byte for byte.
 */
const encoder = new TextEncoder();

const f32 = new Float32Array(1);

/** IEEE half-precision bits of `value`, or -1 if a half cannot hold it exactly. */
function toHalfBits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  if (value === Number.POSITIVE_INFINITY) return 0x7c00;
  if (value === Number.NEGATIVE_INFINITY) return 0xfc00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const abs = Math.abs(value);
  if (abs === 0) return sign;
  // Subnormal halves: multiples of 2^-24 below 2^-14.
  if (abs < 2 ** -14) {
    const m = abs / 2 ** -24;
    return Number.isInteger(m) ? sign | m : -1;
  }
  let e = Math.floor(Math.log2(abs));
  // Math.log2 may be off by one next to powers of two.
  if (2 ** e > abs) e--;
  else if (2 ** (e + 1) <= abs) e++;
  if (e > 15) return -1;
  const mantissa = (abs / 2 ** e - 1) * 1024;
  if (!Number.isInteger(mantissa)) return -1;
  return sign | ((e + 15) << 10) | mantissa;
}

export class CborWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Major type + argument in its shortest form. */
  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (typeof arg === 'bigint') {
      if (arg <= 0xffffffffn) {
        this.head(major, Number(arg));
        return;
      }
      this.ensure(9);
      this.buf[this.pos++] = m | 27;
      this.view.setBigUint64(this.pos, arg);
      this.pos += 8;
      return;
    }
    if (arg < 24) {
      this.ensure(1);
      this.buf[this.pos++] = m | arg;
    } else if (arg < 0x100) {
      this.ensure(2);
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = arg;
    } else if (arg < 0x10000) {
      this.ensure(3);
      this.buf[this.pos++] = m | 25;
      this.view.setUint16(this.pos, arg);
      this.pos += 2;
    } else if (arg < 0x100000000) {
      this.ensure(5);
      this.buf[this.pos++] = m | 26;
      this.view.setUint32(this.pos, arg);
      this.pos += 4;
    } else {
      this.head(major, BigInt(arg));
    }
  }

  /** An integer (major 0 or 1), from a safe-integer number or a bigint in -2^64..2^64-1. */
  integer(value: number | bigint): void {
    if (typeof value === 'number') {
      if (value >= 0) this.head(0, value);
      else this.head(1, -1 - value);
    } else if (value >= 0n) this.head(0, value);
    else this.head(1, -1n - value);
  }

  /** A number: integers that are safe go out as CBOR integers, others as the smallest exact float. */
  number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.integer(value);
    else this.float(value);
  }

  /** A float in the smallest of half / single / double that represents it exactly. */
  float(value: number): void {
    const half = toHalfBits(value);
    if (half >= 0) {
      this.ensure(3);
      this.buf[this.pos++] = 0xf9;
      this.view.setUint16(this.pos, half);
      this.pos += 2;
      return;
    }
    f32[0] = value;
    if (f32[0] === value) {
      this.ensure(5);
      this.buf[this.pos++] = 0xfa;
      this.view.setFloat32(this.pos, value);
      this.pos += 4;
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = 0xfb;
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  text(value: string): void {
    // Fast path for ASCII, which is nearly every SenML name.
    let ascii = value.length < 64;
    if (ascii) {
      for (let i = 0; i < value.length; i++) {
        if (value.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
    }
    if (ascii) {
      this.head(3, value.length);
      this.ensure(value.length);
      for (let i = 0; i < value.length; i++) this.buf[this.pos++] = value.charCodeAt(i);
      return;
    }
    this.bytesWithMajor(3, encoder.encode(value));
  }

  bytes(value: Uint8Array): void {
    this.bytesWithMajor(2, value);
  }

  private bytesWithMajor(major: number, value: Uint8Array): void {
    this.head(major, value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  arrayHeader(length: number): void {
    this.head(4, length);
  }

  mapHeader(size: number): void {
    this.head(5, size);
  }

  boolean(value: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = value ? 0xf5 : 0xf4;
  }

  /** The bytes written so far (a copy, so the writer can be dropped). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
