import type { Socket } from 'node:net';
import type { Peer } from '@lwm2m-ts/coap';
import { createAbort, encodeReliable } from '@lwm2m-ts/codec';
import { FrameReader, FrameTooLargeError } from './frame-reader';

export interface StreamConnectionOptions {
  /** Largest frame accepted from the peer; a larger announced frame aborts the connection. */
  readonly maxFrameSize: number;
  /** A frame that stays incomplete this long aborts the connection (slowloris defence). */
  readonly frameTimeoutMs: number;
  readonly onFrame: (frame: Uint8Array, peer: Peer) => void;
  readonly onClose: (connection: StreamConnection, reason?: Error) => void;
}

/**
 * One TCP or TLS connection carrying RFC 8323 frames: splits the stream into frames, enforces the
 * frame size and completion deadline, and answers protocol violations with an Abort (7.05).
 */
export class StreamConnection {
  private readonly reader: FrameReader;
  private frameTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private closeReason: Error | undefined;

  constructor(
    readonly socket: Socket,
    readonly peer: Peer,
    private readonly options: StreamConnectionOptions,
  ) {
    this.reader = new FrameReader(options.maxFrameSize);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.closeReason ??= err;
    });
    socket.on('close', () => this.finish());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.closed || this.socket.destroyed) {
      return Promise.reject(new Error(`connection to ${this.peer.address}:${this.peer.port} is closed`));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(frame, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends an Abort with a diagnostic payload, then closes (RFC 8323 §5.6). */
  abort(diagnostic: string): void {
    if (this.closed) return;
    this.closeReason ??= new Error(`aborted: ${diagnostic}`);
    const frame = encodeReliable(createAbort({ diagnostic }), 'tcp');
    this.socket.end(frame);
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  close(): void {
    if (this.closed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Uint8Array[];
    try {
      frames = this.reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (err) {
      this.clearFrameTimer();
      this.abort(err instanceof FrameTooLargeError ? err.message : `malformed frame header: ${(err as Error).message}`);
      return;
    }
    for (const frame of frames) this.options.onFrame(frame, this.peer);
    if (this.reader.pendingBytes > 0) {
      this.frameTimer ??= setTimeout(() => {
        this.frameTimer = undefined;
        this.abort(`incomplete frame not completed within ${this.options.frameTimeoutMs} ms`);
      }, this.options.frameTimeoutMs);
    } else {
      this.clearFrameTimer();
    }
  }

  private clearFrameTimer(): void {
    if (this.frameTimer !== undefined) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearFrameTimer();
    this.options.onClose(this, this.closeReason);
  }
}
