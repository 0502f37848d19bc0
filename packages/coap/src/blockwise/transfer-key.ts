/**
 * Keys that tie the blocks of one transfer together (RFC 7959 §2.4, RFC 9175 §3): the peer,
 * the method and the request's cache-key options; the Request-Tag for uploads so concurrent
 * uploads from one peer do not mix. Tokens are not part of it: they may change per block.
 */
import { type CoapMessage, OptionNumber } from '@lwm2m-ts/codec';

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

function keyOf(peerKey: string, msg: CoapMessage, withTag: boolean): string {
  let k = `${peerKey}\u0001${msg.code}`;
  for (const o of msg.options) {
    const n = o.number;
    if (
      n === OptionNumber.URI_PATH ||
      n === OptionNumber.URI_QUERY ||
      n === OptionNumber.ACCEPT ||
      (withTag && n === OptionNumber.REQUEST_TAG)
    ) {
      k += `\u0002${n}\u0003${latin1(o.value)}`;
    }
  }
  return k;
}

/** Block1 reassembly key: includes Request-Tag. */
export const uploadKey = (peerKey: string, msg: CoapMessage): string => keyOf(peerKey, msg, true);
/** Block2 continuation key: the same request without Request-Tag. */
export const downloadKey = (peerKey: string, msg: CoapMessage): string => keyOf(peerKey, msg, false);
/** Prefix of every key of a peer. */
export const peerPrefix = (peerKey: string): string => `${peerKey}\u0001`;
