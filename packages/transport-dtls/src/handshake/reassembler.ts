import type { HandshakeFragment } from './messages';

/** A complete handshake message, in message_seq order. */
export interface HandshakeMessage {
  readonly type: number;
  readonly seq: number;
  readonly body: Buffer;
  /** Epoch of the record(s) it arrived in. */
  readonly epoch: number;
}

interface Partial {
  type: number;
  epoch: number;
  body: Buffer;
  /** Received byte ranges [start, end), sorted and merged. */
  ranges: [number, number][];
}

/**
 * Reassembles fragmented handshake messages and releases them in message_seq order (RFC 6347 4.2.3).
 * Bounded: at most `window` messages ahead of the next expected one, each at most `maxLength` bytes, and at most
 * `maxLength` bytes buffered in all (fragments claiming more are ignored), so one handshake cannot be made to
 * hold more than that.
 */
export class HandshakeReassembler {
  nextSeq = 0;
  private readonly pending = new Map<number, Partial>();
  private buffered = 0;

  constructor(
    private readonly maxLength = 16 * 1024,
    private readonly window = 8,
  ) {}

  /** 'old': part of a message already processed (the peer is retransmitting); 'ok': stored or ignored. */
  add(frag: HandshakeFragment, epoch: number): 'old' | 'ok' {
    if (frag.messageSeq < this.nextSeq) return 'old';
    if (frag.messageSeq >= this.nextSeq + this.window || frag.length > this.maxLength) return 'ok';
    let p = this.pending.get(frag.messageSeq);
    if (!p) {
      if (this.buffered + frag.length > this.maxLength) return 'ok';
      p = { type: frag.msgType, epoch, body: Buffer.alloc(frag.length), ranges: [] };
      this.pending.set(frag.messageSeq, p);
      this.buffered += frag.length;
    } else if (p.type !== frag.msgType || p.body.length !== frag.length || p.epoch !== epoch) {
      return 'ok';
    }
    if (frag.body.length === 0 && frag.length !== 0) return 'ok';
    frag.body.copy(p.body, frag.fragmentOffset);
    p.ranges = mergeRange(p.ranges, frag.fragmentOffset, frag.fragmentOffset + frag.body.length);
    return 'ok';
  }

  next(): HandshakeMessage | undefined {
    const p = this.pending.get(this.nextSeq);
    if (!p) return undefined;
    const complete =
      p.body.length === 0 || (p.ranges.length === 1 && p.ranges[0]![0] === 0 && p.ranges[0]![1] === p.body.length);
    if (!complete) return undefined;
    this.pending.delete(this.nextSeq);
    this.buffered -= p.body.length;
    return { type: p.type, seq: this.nextSeq++, body: p.body, epoch: p.epoch };
  }

  clear(): void {
    this.pending.clear();
    this.buffered = 0;
  }
}

function mergeRange(ranges: [number, number][], start: number, end: number): [number, number][] {
  const all = [...ranges, [start, end] as [number, number]].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
