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
 * Splits a TCP byte stream into RFC 8323 frames. Bytes are copied only when a frame spans chunks;
 * a frame that lies wholly inside one chunk is handed out as a view.
 */
export class FrameReader {
  private buffered: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxFrameSize: number) {}

  /** Bytes of an incomplete frame currently held (0 when the stream is at a frame boundary). */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  /** Feeds a chunk; returns every frame it completes. Throws CodecError or FrameTooLargeError. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data = chunk;
    if (this.buffered.length > 0) {
      data = new Uint8Array(this.buffered.length + chunk.length);
      data.set(this.buffered, 0);
      data.set(chunk, this.buffered.length);
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (offset < data.length) {
      const rest = data.subarray(offset);
      const length = reliableFrameLength(rest);
      if (length === undefined) break;
      if (length > this.maxFrameSize) throw new FrameTooLargeError(length, this.maxFrameSize);
      if (rest.length < length) break;
      frames.push(rest.subarray(0, length));
      offset += length;
    }
    // Keep the tail in its own buffer so the consumer's chunk can be released.
    this.buffered = offset === data.length ? new Uint8Array(0) : data.slice(offset);
    return frames;
  }
}
