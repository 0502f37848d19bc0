/**
 * Which options go inside the ciphertext (Class E, "Inner") and which stay visible (Class U,
 * "Outer"): RFC 8613 §4.1 Figure 5, §4.1.3 special cases, RFC 8768 (Hop-Limit: U) and
 * RFC 9175 (Echo, Request-Tag: E). Unknown options are Class E (§4.1).
 */
import { type CoapOption, OptionNumber, sortOptions } from '@lwm2m-ts/codec';
import { OscoreError } from './oscore-error';

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

/** Class U only: never encrypted; kept from the outer message on receipt. */
const OUTER_ONLY: ReadonlySet<number> = new Set([
  OptionNumber.URI_HOST,
  OptionNumber.URI_PORT,
  OptionNumber.PROXY_URI,
  OptionNumber.PROXY_SCHEME,
  OptionNumber.HOP_LIMIT,
]);

export const isOuterOnlyOption = (n: number): boolean => OUTER_ONLY.has(n) || n === OptionNumber.OSCORE;

export interface SplitOptions {
  readonly inner: CoapOption[];
  /** Sorted; does not yet contain the OSCORE option. */
  readonly outer: CoapOption[];
}

/**
 * Splits the options of an original message (§4.1). Block1/2 and Size1/2 present in the
 * original message are the application's (inner) block-wise; outer Block options are added later
 * by a hop-by-hop block-wise layer. Max-Age and No-Response are sent Inner only.
 */
export function splitOptions(options: readonly CoapOption[], role: 'request' | 'response'): SplitOptions {
  const inner: CoapOption[] = [];
  const outer: CoapOption[] = [];
  for (const opt of options) {
    const n = opt.number;
    if (n === OptionNumber.OSCORE) {
      throw new OscoreError('nested-oscore', 'message already has an OSCORE option: nested OSCORE is not supported');
    }
    if (n === OptionNumber.PROXY_URI) {
      decomposeProxyUri(opt.value, inner, outer);
    } else if (OUTER_ONLY.has(n)) {
      outer.push(opt);
    } else if (n === OptionNumber.OBSERVE) {
      // §4.1.3.5: requests carry the value both Inner and Outer; notifications an empty Inner value.
      inner.push(role === 'request' ? opt : { number: n, value: EMPTY });
      outer.push(opt);
    } else {
      inner.push(opt);
    }
  }
  return { inner, outer: sortOptions(outer) as CoapOption[] };
}

/** §4.1.3.3: Proxy-Uri -> outer Proxy-Uri (scheme://authority) + inner Uri-Path / Uri-Query. */
function decomposeProxyUri(value: Uint8Array, inner: CoapOption[], outer: CoapOption[]): void {
  const text = new TextDecoder().decode(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new OscoreError('invalid-config', `Proxy-Uri is not an absolute URI: "${text}"`, { cause: err });
  }
  outer.push({ number: OptionNumber.PROXY_URI, value: utf8.encode(`${url.protocol}//${url.host}`) });
  const path = url.pathname;
  if (path.length > 1) {
    for (const seg of path.slice(1).split('/')) {
      inner.push({ number: OptionNumber.URI_PATH, value: utf8.encode(decodeURIComponent(seg)) });
    }
  }
  if (url.search.length > 1) {
    for (const q of url.search.slice(1).split('&')) {
      inner.push({ number: OptionNumber.URI_QUERY, value: utf8.encode(decodeURIComponent(q)) });
    }
  }
}

/**
 * §8.2 step 1 / §8.4 step 1: on receipt, Class E outer instances (and the OSCORE option) are
 * discarded; the Class U ones are kept and merged with the decrypted Inner options.
 */
export function mergeOptions(outer: readonly CoapOption[], inner: readonly CoapOption[]): readonly CoapOption[] {
  let merged: CoapOption[] | undefined;
  for (let i = 0; i < outer.length; i++) {
    const opt = outer[i]!;
    if (!OUTER_ONLY.has(opt.number)) continue;
    merged ??= [];
    merged.push(opt);
  }
  // The common case (no Uri-Host, Proxy-* or Hop-Limit outside): the inner options as they are.
  if (!merged) return sortOptions(inner);
  for (const opt of inner) merged.push(opt);
  return sortOptions(merged);
}

/** `sortedOuter` with the OSCORE option inserted in place (no full sort per message). */
export function withOscoreOption(sortedOuter: readonly CoapOption[], value: Uint8Array): CoapOption[] {
  const out: CoapOption[] = [];
  let placed = false;
  for (let i = 0; i < sortedOuter.length; i++) {
    const opt = sortedOuter[i]!;
    if (!placed && opt.number > OptionNumber.OSCORE) {
      out.push({ number: OptionNumber.OSCORE, value });
      placed = true;
    }
    out.push(opt);
  }
  if (!placed) out.push({ number: OptionNumber.OSCORE, value });
  return out;
}
