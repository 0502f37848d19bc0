/**
 * The option table the server role checks requests against (RFC 7252 §5.4.1: unknown critical
 * options are answered 4.02). Read-only: an Endpoint only checks and names options.
 */
import { OptionRegistry } from '@lwm2m-ts/codec';

/** What an Endpoint needs of an option table; an `OptionRegistry` is one. */
export type OptionChecks = Pick<OptionRegistry, 'check' | 'nameOf'>;

/**
 * The standard options (STANDARD_OPTIONS), built once and shared by every Endpoint that is not
 * given a table. Immutable: frozen, and the registry behind it is reachable by nobody, so no
 * endpoint can register into another's table.
 */
export const DEFAULT_OPTION_CHECKS: OptionChecks = /* @__PURE__ */ readOnly(new OptionRegistry());

function readOnly(registry: OptionRegistry): OptionChecks {
  return Object.freeze({
    check: (options: Parameters<OptionRegistry['check']>[0]) => registry.check(options),
    nameOf: (number: number) => registry.nameOf(number),
  });
}
