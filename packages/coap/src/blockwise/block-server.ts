/**
 * Server side of RFC 7959: reassembles Block1 uploads before the handler runs (2.31 Continue,
 * 4.08 on a gap, 4.13 + Size1 above the body cap) and slices large responses into Block2
 * blocks, keeping the whole body for the follow-up requests so the handler runs once.
 */
import {
  blockSize,
  CoapCode,
  type CoapMessage,
  CodecError,
  createOption,
  type DecodedBlock,
  encodeBlock,
  getBlock1,
  getBlock2,
  getSize1,
  OptionNumber,
  sortOptions,
} from '@lwm2m-ts/codec';
import type { ServerExchange } from '../exchange';
import { errorMessage } from '../server/dispatcher';
import type { BlockPlan } from './blockwise-layer';
import type { ExpiringMap } from './expiring-map';
import { downloadKey, uploadKey } from './transfer-key';

interface Upload {
  readonly parts: Uint8Array[];
  received: number;
}

interface Block1Echo {
  readonly num: number;
  readonly szx: number;
}

export interface BlockServerDeps {
  readonly uploads: ExpiringMap<Upload>;
  readonly downloads: ExpiringMap<CoapMessage>;
  readonly maxBodySize: number;
  /**
   * How to cut a body for this peer, given the SZX it asked for (undefined: our choice).
   * Undefined: the peer did not announce Block-Wise-Transfer (RFC 8323), no Block options.
   */
  plan(sx: ServerExchange, asked: number | undefined): BlockPlan | undefined;
}

const STRIP_UPLOAD = new Set<number>([OptionNumber.BLOCK1, OptionNumber.SIZE1, OptionNumber.REQUEST_TAG]);

export class BlockServer {
  constructor(private readonly d: BlockServerDeps) {}

  /** The complete request for the handler, or undefined when this layer answered via `reply`. */
  receiveRequest(sx: ServerExchange, msg: CoapMessage, reply: (m: CoapMessage) => void): CoapMessage | undefined {
    let b1: DecodedBlock | undefined;
    let b2: DecodedBlock | undefined;
    try {
      b1 = getBlock1(msg);
      b2 = getBlock2(msg);
    } catch (e) {
      if (!CodecError.isInstance(e)) throw e;
      reply(errorMessage(msg.token, CoapCode.BAD_OPTION, e.message));
      return undefined;
    }
    if (b1) return this.receiveBlock1(sx, msg, b1, reply);
    if (b2 && b2.num > 0) {
      const cached = this.d.downloads.get(downloadKey(sx.peer.key, msg));
      if (cached) {
        reply(this.slice({ ...cached, token: msg.token }, b2.num, this.planFor(sx, b2)));
        return undefined;
      }
      // Safe methods are recomputed (RFC 7959 §2.4: stateless servers); others lost their state.
      if (msg.code !== CoapCode.GET && msg.code !== CoapCode.FETCH) {
        reply(errorMessage(msg.token, CoapCode.REQUEST_ENTITY_INCOMPLETE, 'block-wise transfer state expired'));
        return undefined;
      }
    }
    return msg;
  }

  private receiveBlock1(sx: ServerExchange, msg: CoapMessage, b1: DecodedBlock, reply: (m: CoapMessage) => void) {
    const key = uploadKey(sx.peer.key, msg);
    const cap = this.d.maxBodySize;
    const size1 = getSize1(msg);
    if ((size1 !== undefined && size1 > cap) || b1.num * b1.size + msg.payload.length > cap) {
      this.d.uploads.delete(key);
      reply(tooLarge(msg.token, cap));
      return undefined;
    }
    // A block before the last is full: its size, or for BERT a multiple of 1024 (RFC 8323 §6).
    const full = b1.bert
      ? msg.payload.length > 0 && msg.payload.length % b1.size === 0
      : msg.payload.length === b1.size;
    if (b1.more && !full) {
      const want = b1.bert ? `a multiple of ${b1.size}` : `${b1.size}`;
      reply(
        errorMessage(
          msg.token,
          CoapCode.BAD_REQUEST,
          `block ${b1.num} carries ${msg.payload.length} bytes, not ${want}`,
        ),
      );
      return undefined;
    }
    let up = this.d.uploads.get(key);
    if (b1.num === 0) up = { parts: [], received: 0 };
    else if (!up || up.received !== b1.num * b1.size) {
      this.d.uploads.delete(key);
      reply(
        errorMessage(
          msg.token,
          CoapCode.REQUEST_ENTITY_INCOMPLETE,
          `block ${b1.num} does not follow the blocks received`,
        ),
      );
      return undefined;
    }
    up.parts.push(msg.payload);
    up.received += msg.payload.length;
    if (b1.more) {
      this.d.uploads.set(key, up);
      // A smaller SZX in 2.31 asks the client for smaller blocks (RFC 7959 §2.5), e.g. 6 for a BERT
      // upload when BERT is not on with this peer.
      const szx = Math.min(b1.szx, this.d.plan(sx, b1.szx)?.szx ?? Math.min(b1.szx, 6));
      const cont: CoapMessage = {
        ...msg,
        code: CoapCode.CONTINUE,
        options: [createOption(OptionNumber.BLOCK1, encodeBlock({ num: b1.num, more: true, szx: szx }))],
        payload: EMPTY,
      };
      reply(cont);
      return undefined;
    }
    this.d.uploads.delete(key);
    sx.block = { num: b1.num, szx: b1.szx } satisfies Block1Echo;
    return {
      ...msg,
      options: msg.options.filter((o) => !STRIP_UPLOAD.has(o.number)),
      payload: concat(up.parts, up.received),
    };
  }

  /** Echoes Block1 and slices a large body into its first (or requested) Block2 block. */
  prepareResponse(sx: ServerExchange, request: CoapMessage, response: CoapMessage): CoapMessage {
    let m = response;
    const echo = sx.block as Block1Echo | undefined;
    if (echo && m.code !== CoapCode.CONTINUE) {
      m = withOption(m, OptionNumber.BLOCK1, encodeBlock({ num: echo.num, more: false, szx: echo.szx }));
    }
    let b2: DecodedBlock | undefined;
    try {
      b2 = getBlock2(request);
    } catch {
      b2 = undefined;
    }
    const plan = this.planFor(sx, b2);
    const num = b2?.num ?? 0;
    // A peer without Block-Wise-Transfer gets the whole body (the message layer refuses what exceeds its Max-Message-Size).
    if (!plan) return m;
    if (m.payload.length <= plan.bytes && num === 0 && b2 === undefined) return m;
    if (m.code >> 5 === 2 && m.payload.length > plan.bytes) {
      // An ETag lets the client notice a representation that changed between blocks (if the
      // kept body expired and the handler ran again).
      if (!m.options.some((o) => o.number === OptionNumber.ETAG)) {
        m = { ...m, options: sortOptions([...m.options, createOption(OptionNumber.ETAG, bodyTag(m.payload))]) };
      }
      this.d.downloads.set(downloadKey(sx.peer.key, request), m);
    }
    return this.slice(m, num, plan);
  }

  /** The peer's plan; a peer that sends Block2 though its CSM lacked Block-Wise-Transfer evidently speaks it. */
  private planFor(sx: ServerExchange, b2: DecodedBlock): BlockPlan;
  private planFor(sx: ServerExchange, b2: DecodedBlock | undefined): BlockPlan | undefined;
  private planFor(sx: ServerExchange, b2: DecodedBlock | undefined): BlockPlan | undefined {
    const plan = this.d.plan(sx, b2?.szx);
    if (plan || !b2) return plan;
    const szx = Math.min(b2.szx, 6);
    return { szx, bytes: blockSize(szx) };
  }

  /** Block `num` (in units of the SZX size; 1024 for BERT, whose blocks carry `plan.bytes`). */
  private slice(full: CoapMessage, num: number, plan: BlockPlan): CoapMessage {
    const szx = plan.szx;
    const total = full.payload.length;
    const from = num * blockSize(szx);
    if (from >= total && !(total === 0 && num === 0)) {
      return errorMessage(full.token, CoapCode.BAD_OPTION, `block ${num} is past the end (${total} bytes)`);
    }
    const to = Math.min(from + plan.bytes, total);
    const options = full.options.filter((o) => o.number !== OptionNumber.BLOCK2 && o.number !== OptionNumber.SIZE2);
    options.push(createOption(OptionNumber.BLOCK2, encodeBlock({ num: num, more: to < total, szx: szx })));
    if (num === 0) options.push(createOption(OptionNumber.SIZE2, total));
    return { ...full, options: sortOptions(options), payload: full.payload.subarray(from, to) };
  }
}

const EMPTY = new Uint8Array(0);

function withOption(m: CoapMessage, n: number, value: Uint8Array): CoapMessage {
  return { ...m, options: sortOptions([...m.options.filter((o) => o.number !== n), createOption(n, value)]) };
}

export function tooLarge(token: Uint8Array, cap: number): CoapMessage {
  return {
    ...errorMessage(token, CoapCode.REQUEST_ENTITY_TOO_LARGE, `body larger than ${cap} bytes`),
    options: [createOption(OptionNumber.SIZE1, cap)],
  };
}

/** A 4-byte ETag from the body (FNV-1a): equal bodies, equal tags. */
export function bodyTag(body: Uint8Array): Uint8Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) h = Math.imul(h ^ body[i]!, 0x01000193);
  return Uint8Array.of(h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
}

export function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
