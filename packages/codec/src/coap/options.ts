/**
 * Typed accessors and immutable updates for message options. Every function returns a new
 * message; option lists stay sorted by number (stable for repeated options).
 */
import { type BlockValue, type DecodedBlock, decodeBlock, encodeBlock } from './block';
import type { CoapMessage, CoapOption } from './message';
import { OptionNumber } from './option-numbers';
import { decodeUint, decodeUtf8, encodeUint, encodeUtf8 } from './option-values';

/** What an option value can be given as: raw bytes, a string (UTF-8) or a uint. */
export type OptionInput = Uint8Array | string | number;

const EMPTY: Uint8Array = new Uint8Array(0);

export function optionValue(value: OptionInput): Uint8Array {
  if (typeof value === 'number') return encodeUint(value);
  if (typeof value === 'string') return encodeUtf8(value);
  return value;
}

/** Builds one option (`createOption(OptionNumber.URI_PATH, 'rd')`). */
export const createOption = (number: number, value: OptionInput = EMPTY): CoapOption => ({
  number,
  value: optionValue(value),
});

/** First value of option `n`, or undefined. */
export function getOption(msg: Pick<CoapMessage, 'options'>, n: number): Uint8Array | undefined {
  const options = msg.options;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o.number === n) return o.value;
    if (o.number > n) break;
  }
  return undefined;
}

/** Every value of option `n` in order. */
export function getOptions(msg: Pick<CoapMessage, 'options'>, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const o of msg.options) {
    if (o.number === n) out.push(o.value);
    else if (o.number > n) break;
  }
  return out;
}

export const hasOption = (msg: Pick<CoapMessage, 'options'>, n: number): boolean => getOption(msg, n) !== undefined;

export function getUintOption(msg: Pick<CoapMessage, 'options'>, n: number): number | undefined {
  const v = getOption(msg, n);
  return v === undefined ? undefined : decodeUint(v);
}

export function getStringOption(msg: Pick<CoapMessage, 'options'>, n: number): string | undefined {
  const v = getOption(msg, n);
  return v === undefined ? undefined : decodeUtf8(v);
}

export const getStringOptions = (msg: Pick<CoapMessage, 'options'>, n: number): string[] =>
  getOptions(msg, n).map((v) => decodeUtf8(v));

type HasOptions = Pick<CoapMessage, 'options'>;
export const getUriHost = (msg: HasOptions) => getStringOption(msg, OptionNumber.URI_HOST);
export const getUriPort = (msg: HasOptions) => getUintOption(msg, OptionNumber.URI_PORT);
export const getUriPath = (msg: HasOptions): string[] => getStringOptions(msg, OptionNumber.URI_PATH);
export const getUriQuery = (msg: HasOptions): string[] => getStringOptions(msg, OptionNumber.URI_QUERY);
export const getLocationPath = (msg: HasOptions): string[] => getStringOptions(msg, OptionNumber.LOCATION_PATH);
export const getLocationQuery = (msg: HasOptions): string[] => getStringOptions(msg, OptionNumber.LOCATION_QUERY);
export const getContentFormat = (msg: HasOptions) => getUintOption(msg, OptionNumber.CONTENT_FORMAT);
export const getAccept = (msg: HasOptions) => getUintOption(msg, OptionNumber.ACCEPT);
export const getObserve = (msg: HasOptions) => getUintOption(msg, OptionNumber.OBSERVE);
/** Max-Age in seconds; RFC 7252 §5.10.5 default 60 when absent. */
export const getMaxAge = (msg: HasOptions): number => getUintOption(msg, OptionNumber.MAX_AGE) ?? 60;
export const getSize1 = (msg: HasOptions) => getUintOption(msg, OptionNumber.SIZE1);
export const getSize2 = (msg: HasOptions) => getUintOption(msg, OptionNumber.SIZE2);
export const getETags = (msg: HasOptions): Uint8Array[] => getOptions(msg, OptionNumber.ETAG);

export function getBlock1(msg: HasOptions): DecodedBlock | undefined {
  const v = getOption(msg, OptionNumber.BLOCK1);
  return v === undefined ? undefined : decodeBlock(v);
}
export function getBlock2(msg: HasOptions): DecodedBlock | undefined {
  const v = getOption(msg, OptionNumber.BLOCK2);
  return v === undefined ? undefined : decodeBlock(v);
}

/** Inserts options keeping number order; new options go after existing ones of the same number. */
function insertSorted(options: readonly CoapOption[], added: readonly CoapOption[]): CoapOption[] {
  const out = options.slice();
  for (const opt of added) {
    let i = out.length;
    while (i > 0 && out[i - 1]!.number > opt.number) i--;
    out.splice(i, 0, opt);
  }
  return out;
}

/** A copy of `msg` with `options` added (kept sorted, after existing instances of the same number). */
export function withOptions<M extends CoapMessage>(msg: M, ...options: CoapOption[]): M {
  return { ...msg, options: insertSorted(msg.options, options) };
}

/** Adds one instance of option `n` (repeatable options). */
export const addOption = <M extends CoapMessage>(msg: M, n: number, value: OptionInput = EMPTY): M =>
  withOptions(msg, createOption(n, value));

/** A copy of `msg` without any instance of option `n`. */
export function removeOption<M extends CoapMessage>(msg: M, n: number): M {
  return { ...msg, options: msg.options.filter((o) => o.number !== n) };
}

/**
 * Replaces every instance of option `n` with the given value(s); an empty array or undefined
 * removes it.
 */
export function setOption<M extends CoapMessage>(
  msg: M,
  n: number,
  value: OptionInput | readonly OptionInput[] | undefined,
): M {
  const kept = msg.options.filter((o) => o.number !== n);
  if (value === undefined) return { ...msg, options: kept };
  const values = Array.isArray(value) ? (value as readonly OptionInput[]) : [value as OptionInput];
  return {
    ...msg,
    options: insertSorted(
      kept,
      values.map((v) => createOption(n, v)),
    ),
  };
}

export const withUriPath = <M extends CoapMessage>(msg: M, segments: readonly string[]): M =>
  setOption(msg, OptionNumber.URI_PATH, segments);
export const withUriQuery = <M extends CoapMessage>(msg: M, queries: readonly string[]): M =>
  setOption(msg, OptionNumber.URI_QUERY, queries);
export const withContentFormat = <M extends CoapMessage>(msg: M, format: number | undefined): M =>
  setOption(msg, OptionNumber.CONTENT_FORMAT, format);
export const withAccept = <M extends CoapMessage>(msg: M, format: number | undefined): M =>
  setOption(msg, OptionNumber.ACCEPT, format);
export const withObserve = <M extends CoapMessage>(msg: M, seq: number | undefined): M =>
  setOption(msg, OptionNumber.OBSERVE, seq === undefined ? undefined : seq & 0xffffff);
export const withBlock1 = <M extends CoapMessage>(msg: M, block: BlockValue | undefined): M =>
  setOption(msg, OptionNumber.BLOCK1, block && encodeBlock(block));
export const withBlock2 = <M extends CoapMessage>(msg: M, block: BlockValue | undefined): M =>
  setOption(msg, OptionNumber.BLOCK2, block && encodeBlock(block));
