import { reliableFrameLength } from '@lwm2m-ts/codec';

/** Thrown when a peer announces a frame larger than we accept (RFC 8323 §5.3.1 Max-Message-Size). */
export class FrameTooLargeError extends Error {
  constructor(
    readonly announced: number,
    readonly limit: number,
  ) {
    super(`frame of ${announced} bytes exceeds Max-Message-Size ${limit}`);
    this.name = 'FrameTooLargeError';
  }
}

/**
 * Splits a TCP byte stream into RFC 8323 frames. A frame that lies wholly inside one chunk is
 * handed out as a view; the chunks of a frame that spans several are kept as they come and
 * joined once, when the frame is complete (no re-copying of a growing buffer per chunk).
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private pending = 0;
  /** Total length of the incomplete frame, once its header has arrived. */
  private needed: number | undefined;

  constructor(private readonly maxFrameSize: number) {}

  /** Bytes of an incomplete frame currently held (0 when the stream is at a frame boundary). */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Feeds a chunk; returns every frame it completes. Throws CodecError or FrameTooLargeError. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data = chunk;
    if (this.pending > 0) {
      this.chunks.push(chunk);
      this.pending += chunk.length;
      if (this.needed !== undefined && this.pending < this.needed) return [];
      data = join(this.chunks, this.pending);
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    let length: number | undefined;
    while (offset < data.length) {
      const rest = data.subarray(offset);
      length = reliableFrameLength(rest);
      if (length === undefined) break;
      if (length > this.maxFrameSize) throw new FrameTooLargeError(length, this.maxFrameSize);
      if (rest.length < length) break;
      frames.push(rest.subarray(0, length));
      offset += length;
      length = undefined;
    }
    // Keep the tail in its own buffer so the consumer's chunk can be released.
    this.chunks = offset === data.length ? [] : [data.slice(offset)];
    this.pending = data.length - offset;
    this.needed = this.pending > 0 ? length : undefined;
    return frames;
  }
}

function join(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
