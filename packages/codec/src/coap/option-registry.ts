/**
 * What the stack knows about each option number: name, value format, repeatability and length
 * bounds (RFC 7252 §5.4 and Table 4, plus the IANA registrations since). Critical / unsafe /
 * no-cache-key come from the number bits (RFC 7252 §5.4.6). Open to registration per instance.
 */
import { CodecError } from '../codec-error';
import type { CoapOption } from './message';
import { isCritical, isNoCacheKey, isUnsafe, OptionNumber } from './option-numbers';

export type OptionFormat = 'empty' | 'opaque' | 'uint' | 'string';

export interface OptionDefinition {
  readonly number: number;
  readonly name: string;
  readonly format: OptionFormat;
  readonly repeatable: boolean;
  readonly minLength: number;
  readonly maxLength: number;
}

export interface OptionInfo extends OptionDefinition {
  readonly critical: boolean;
  readonly unsafe: boolean;
  readonly noCacheKey: boolean;
}

const def = (
  number: number,
  name: string,
  format: OptionFormat,
  minLength: number,
  maxLength: number,
  repeatable = false,
): OptionDefinition => ({ number, name, format, repeatable, minLength, maxLength });

const N = OptionNumber;
/** The IANA CoAP Option Numbers registry entries this stack ships with. */
export const STANDARD_OPTIONS: readonly OptionDefinition[] = Object.freeze([
  def(N.IF_MATCH, 'If-Match', 'opaque', 0, 8, true),
  def(N.URI_HOST, 'Uri-Host', 'string', 1, 255),
  def(N.ETAG, 'ETag', 'opaque', 1, 8, true),
  def(N.IF_NONE_MATCH, 'If-None-Match', 'empty', 0, 0),
  def(N.OBSERVE, 'Observe', 'uint', 0, 3),
  def(N.URI_PORT, 'Uri-Port', 'uint', 0, 2),
  def(N.LOCATION_PATH, 'Location-Path', 'string', 0, 255, true),
  def(N.OSCORE, 'OSCORE', 'opaque', 0, 255),
  def(N.URI_PATH, 'Uri-Path', 'string', 0, 255, true),
  def(N.CONTENT_FORMAT, 'Content-Format', 'uint', 0, 2),
  def(N.MAX_AGE, 'Max-Age', 'uint', 0, 4),
  def(N.URI_QUERY, 'Uri-Query', 'string', 0, 255, true),
  def(N.HOP_LIMIT, 'Hop-Limit', 'uint', 1, 1),
  def(N.ACCEPT, 'Accept', 'uint', 0, 2),
  def(N.Q_BLOCK1, 'Q-Block1', 'uint', 0, 3),
  def(N.LOCATION_QUERY, 'Location-Query', 'string', 0, 255, true),
  def(N.EDHOC, 'EDHOC', 'empty', 0, 0),
  def(N.BLOCK2, 'Block2', 'uint', 0, 3),
  def(N.BLOCK1, 'Block1', 'uint', 0, 3),
  def(N.SIZE2, 'Size2', 'uint', 0, 4),
  def(N.Q_BLOCK2, 'Q-Block2', 'uint', 0, 3),
  def(N.PROXY_URI, 'Proxy-Uri', 'string', 1, 1034),
  def(N.PROXY_SCHEME, 'Proxy-Scheme', 'string', 1, 255),
  def(N.SIZE1, 'Size1', 'uint', 0, 4),
  def(N.ECHO, 'Echo', 'opaque', 1, 40),
  def(N.NO_RESPONSE, 'No-Response', 'uint', 0, 1),
  def(N.REQUEST_TAG, 'Request-Tag', 'opaque', 0, 8, true),
]);

const info = (d: OptionDefinition): OptionInfo =>
  Object.freeze({
    ...d,
    critical: isCritical(d.number),
    unsafe: isUnsafe(d.number),
    noCacheKey: isNoCacheKey(d.number),
  });

export class OptionRegistry {
  readonly #byNumber = new Map<number, OptionInfo>();
  readonly #byName = new Map<string, OptionInfo>();

  /** Starts with STANDARD_OPTIONS unless given another list (`new OptionRegistry([])` is empty). */
  constructor(definitions: Iterable<OptionDefinition> = STANDARD_OPTIONS) {
    for (const d of definitions) this.register(d);
  }

  /** Adds or replaces the definition for `d.number`. */
  register(d: OptionDefinition): this {
    if (!Number.isInteger(d.number) || d.number < 0 || d.number > 0xffff) {
      throw new CodecError(`option number out of range: ${d.number}`);
    }
    if (d.minLength < 0 || d.maxLength < d.minLength) throw new CodecError(`bad length bounds for option ${d.name}`);
    const old = this.#byNumber.get(d.number);
    if (old) this.#byName.delete(old.name.toLowerCase());
    const i = info(d);
    this.#byNumber.set(d.number, i);
    this.#byName.set(d.name.toLowerCase(), i);
    return this;
  }

  get(number: number): OptionInfo | undefined {
    return this.#byNumber.get(number);
  }

  /** Case-insensitive lookup by name ("uri-path"). */
  byName(name: string): OptionInfo | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  has(number: number): boolean {
    return this.#byNumber.has(number);
  }

  /** "Uri-Path", or "Option 65000" when unknown. */
  nameOf(number: number): string {
    return this.#byNumber.get(number)?.name ?? `Option ${number}`;
  }

  definitions(): OptionInfo[] {
    return [...this.#byNumber.values()].sort((a, b) => a.number - b.number);
  }

  /**
   * Checks the options of a message against the registry (RFC 7252 §5.4.1/§5.4.5): returns the
   * first problem as { option, reason, critical } or undefined. Unknown elective options and
   * bad elective values are reported with critical=false (to be ignored by the caller).
   */
  check(options: readonly CoapOption[]): OptionProblem | undefined {
    let firstElective: OptionProblem | undefined;
    let prev = -1;
    for (const o of options) {
      const d = this.#byNumber.get(o.number);
      let reason: string | undefined;
      if (!d) reason = 'unrecognized option';
      else if (o.value.length < d.minLength || o.value.length > d.maxLength) {
        reason = `length ${o.value.length} outside ${d.minLength}..${d.maxLength}`;
      } else if (!d.repeatable && o.number === prev) reason = 'not repeatable';
      prev = o.number;
      if (reason === undefined) continue;
      const problem = { option: o.number, reason, critical: isCritical(o.number) };
      if (problem.critical) return problem;
      firstElective ??= problem;
    }
    return firstElective;
  }
}

export interface OptionProblem {
  readonly option: number;
  readonly reason: string;
  readonly critical: boolean;
}
