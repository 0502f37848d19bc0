/**
 * Client side of RFC 7959: splits large request bodies into Block1 blocks (following the
 * server's smaller SZX, with Size1 and a Request-Tag per upload), and fetches and reassembles
 * Block2 responses, checking the ETag stays the same. The blocks reuse the exchange's token.
 */
import {
  blockSize,
  CoapCode,
  type CoapMessage,
  type CoapOption,
  codeClass,
  createOption,
  type DecodedBlock,
  encodeBlock,
  getBlock1,
  getBlock2,
  getETags,
  OptionNumber,
  sortOptions,
  szxForSize,
} from '@lwm2m-ts/codec';
import { CoapError } from '../errors/coap-error';
import type { ClientExchange } from '../exchange';
import { concat } from './block-server';
import type { BlockPlan } from './blockwise-layer';

interface ClientTransfer {
  /** The request as the user made it (whole body). */
  readonly request: CoapMessage;
  /** Upload: bytes of the body acknowledged so far, and the size in use. */
  uploading: boolean;
  sent: number;
  szx1: number;
  /** Payload bytes per Block1 block (n × 1024 for BERT). */
  bytes1: number;
  lastLength: number;
  /** Download. */
  parts: Uint8Array[];
  received: number;
  etag: Uint8Array | undefined;
}

export interface BlockClientDeps {
  readonly maxBodySize: number;
  readonly nextToken: () => Uint8Array;
  sendRequest(ex: ClientExchange, message: CoapMessage): void;
  fail(ex: ClientExchange, error: Error): void;
  /** How to cut bodies for this exchange's peer; undefined: no Block options to it. */
  plan(ex: ClientExchange, wanted: number | undefined): BlockPlan | undefined;
}

const STRIP_FOLLOW_UP = new Set<number>([
  OptionNumber.BLOCK1,
  OptionNumber.BLOCK2,
  OptionNumber.SIZE1,
  OptionNumber.OBSERVE,
  OptionNumber.REQUEST_TAG,
]);
const EMPTY = new Uint8Array(0);

export class BlockClient {
  constructor(private readonly d: BlockClientDeps) {}

  /** Sends the first message of a request: the whole request, or its first Block1 block. */
  start(ex: ClientExchange, request: CoapMessage, block1Size?: number, block2Size?: number): void {
    let first = request;
    const plan = this.d.plan(ex, block1Size === undefined ? undefined : szxForSize(block1Size));
    // A peer without Block-Wise-Transfer (RFC 8323) gets the whole body, if it fits its Max-Message-Size.
    if (block2Size !== undefined && plan) {
      first = withOptions(first, [
        createOption(OptionNumber.BLOCK2, encodeBlock({ num: 0, more: false, szx: szxForSize(block2Size) })),
      ]);
    }
    ex.request = first;
    if (plan && first.payload.length > plan.bytes) {
      const t = newTransfer(withOptions(first, [createOption(OptionNumber.REQUEST_TAG, this.d.nextToken())]));
      t.uploading = true;
      t.szx1 = plan.szx;
      t.bytes1 = plan.bytes;
      ex.block = t;
      this.sendBlock1(ex, t);
      return;
    }
    this.d.sendRequest(ex, first);
  }

  /** The complete response, or undefined while the transfer goes on (or failed). */
  receiveResponse(ex: ClientExchange, msg: CoapMessage): CoapMessage | undefined {
    const t = ex.block as ClientTransfer | undefined;
    if (t?.uploading) {
      let b1: DecodedBlock | undefined;
      try {
        b1 = getBlock1(msg);
      } catch {
        b1 = undefined;
      }
      if (msg.code === CoapCode.CONTINUE) {
        if (!b1) {
          this.d.fail(ex, new CoapError(CoapCode.BAD_GATEWAY, '2.31 Continue without Block1'));
          return undefined;
        }
        t.sent += t.lastLength;
        if (b1.szx < t.szx1) {
          // A smaller size asked in 2.31 (incl. a server that answers BERT with SZX 6).
          t.szx1 = b1.szx;
          t.bytes1 = blockSize(b1.szx);
        }
        this.sendBlock1(ex, t);
        return undefined;
      }
      t.uploading = false;
    }
    let b2: DecodedBlock | undefined;
    try {
      b2 = getBlock2(msg);
    } catch {
      return msg;
    }
    if (!b2 || codeClass(msg.code) !== 2) return msg;
    // Observe notifications are not continued on the observation's token (see Observation).
    if (ex.keepOpen && !t?.received) return msg;
    const cur = t && t.received > 0 ? t : undefined;
    if (!cur) {
      if (b2.num !== 0 || !b2.more) return msg;
      const fresh = newTransfer(t?.request ?? ex.request ?? msg);
      return this.accept(ex, fresh, msg, b2);
    }
    if (b2.num * b2.size !== cur.received) return undefined; // stale block
    const etag = getETags(msg)[0];
    if (!sameBytes(etag, cur.etag)) {
      this.d.fail(
        ex,
        new CoapError(CoapCode.PRECONDITION_FAILED, 'representation changed during block-wise transfer (ETag)'),
      );
      return undefined;
    }
    return this.accept(ex, cur, msg, b2);
  }

  private accept(ex: ClientExchange, t: ClientTransfer, msg: CoapMessage, b2: DecodedBlock): CoapMessage | undefined {
    if (t.received === 0) t.etag = getETags(msg)[0];
    t.parts.push(msg.payload);
    t.received += msg.payload.length;
    if (t.received > this.d.maxBodySize) {
      this.d.fail(
        ex,
        new CoapError(CoapCode.REQUEST_ENTITY_TOO_LARGE, `response body exceeds ${this.d.maxBodySize} bytes`),
      );
      return undefined;
    }
    if (b2.more) {
      // Every block but the last is full: exactly the size, or for BERT a multiple of 1024 (RFC 8323 §6).
      const full = b2.bert
        ? msg.payload.length > 0 && msg.payload.length % b2.size === 0
        : msg.payload.length === b2.size;
      if (!full) {
        const want = b2.bert ? `a multiple of ${b2.size}` : `${b2.size}`;
        this.d.fail(
          ex,
          new CoapError(CoapCode.BAD_GATEWAY, `block ${b2.num} has ${msg.payload.length} bytes, not ${want}`),
        );
        return undefined;
      }
      ex.block = t;
      // The next block starts where this one ended (a BERT block spans several numbers).
      this.d.sendRequest(ex, followUp(t.request, ex.token, t.received / b2.size, b2.szx));
      return undefined;
    }
    const payload = concat(t.parts, t.received);
    ex.block = undefined;
    return {
      ...msg,
      options: msg.options.filter((o) => o.number !== OptionNumber.BLOCK2 && o.number !== OptionNumber.SIZE2),
      payload,
    };
  }

  /** The block starting at `t.sent`; its number counts in units of the SZX size (1024 for BERT). */
  private sendBlock1(ex: ClientExchange, t: ClientTransfer): void {
    const body = t.request.payload;
    const from = t.sent;
    const num = from / blockSize(t.szx1);
    const to = Math.min(from + t.bytes1, body.length);
    t.lastLength = to - from;
    const extra: CoapOption[] = [
      createOption(OptionNumber.BLOCK1, encodeBlock({ num, more: to < body.length, szx: t.szx1 })),
    ];
    if (num === 0) extra.push(createOption(OptionNumber.SIZE1, body.length));
    this.d.sendRequest(ex, { ...withOptions(t.request, extra), payload: body.subarray(from, to) });
  }
}

const newTransfer = (request: CoapMessage): ClientTransfer => ({
  request,
  uploading: false,
  sent: 0,
  szx1: 6,
  bytes1: 1024,
  lastLength: 0,
  parts: [],
  received: 0,
  etag: undefined,
});

/** The request for Block2 block `num` (RFC 7959 §2.4): same options, no body (FETCH keeps its body). */
export function followUp(request: CoapMessage, token: Uint8Array, num: number, szx: number): CoapMessage {
  const options = request.options.filter((o) => !STRIP_FOLLOW_UP.has(o.number));
  options.push(createOption(OptionNumber.BLOCK2, encodeBlock({ num, more: false, szx })));
  return {
    ...request,
    token,
    options: sortOptions(options),
    payload: request.code === CoapCode.FETCH ? request.payload : EMPTY,
  };
}

function withOptions(m: CoapMessage, extra: readonly CoapOption[]): CoapMessage {
  const numbers = new Set(extra.map((o) => o.number));
  return { ...m, options: sortOptions([...m.options.filter((o) => !numbers.has(o.number)), ...extra]) };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
