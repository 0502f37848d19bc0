/**
 * Register / Update / De-register as typed values, and their validation from the query
 * parameters the spec defines (`ep`, `lt`, `lwm2m`, `b`, `sms`, `Q`). Transport-neutral: the
 * CoAP adapter hands over the query strings and the payload text.
 */
import { ResponseCode } from '../core/response-code';
import { type Lwm2mVersion, SUPPORTED_LWM2M_VERSIONS } from './registration';

export interface RegisterRequest {
  readonly endpoint: string;
  readonly lifetime: number;
  readonly lwm2mVersion: Lwm2mVersion;
  readonly binding: string;
  readonly queueMode: boolean;
  readonly smsNumber?: string;
  readonly objectLinks: string;
  readonly additionalAttributes?: Readonly<Record<string, string>>;
}

export interface UpdateRequest {
  readonly registrationId: string;
  readonly lifetime?: number;
  readonly binding?: string;
  readonly queueMode?: boolean;
  readonly smsNumber?: string;
  readonly objectLinks?: string;
  readonly additionalAttributes?: Readonly<Record<string, string>>;
}

export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ResponseCode; readonly diagnostic: string };

export interface RegistrationLimits {
  /** Lifetime used when `lt` is absent (spec default 86400 s). */
  readonly defaultLifetime: number;
  readonly minLifetime: number;
  readonly maxLifetime: number;
  readonly maxEndpointLength: number;
}

export const DEFAULT_REGISTRATION_LIMITS: RegistrationLimits = {
  defaultLifetime: 86_400,
  minLifetime: 1,
  // Beyond ~68 years a lifetime is a configuration error, not a device that will update.
  maxLifetime: 2_147_483_647,
  maxEndpointLength: 255,
};

const utf8 = new TextEncoder();

const fail = (diagnostic: string, code: ResponseCode = ResponseCode.BAD_REQUEST) =>
  ({ ok: false, code, diagnostic }) as const;

/** Splits `k=v` / `k` query items into a map; a repeated parameter is an error. */
export function parseQuery(query: readonly string[]): Validated<Map<string, string | undefined>> {
  const params = new Map<string, string | undefined>();
  for (const item of query) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    if (!key) return fail(`empty query parameter name in "${item}"`);
    if (params.has(key)) return fail(`query parameter "${key}" given more than once`);
    params.set(key, value);
  }
  return { ok: true, value: params };
}

export function parseLifetime(raw: string | undefined, limits: RegistrationLimits): Validated<number> {
  if (raw === undefined || !/^\d{1,12}$/.test(raw))
    return fail(`lifetime (lt) must be a whole number of seconds, got "${raw ?? ''}"`);
  const lifetime = Number(raw);
  if (lifetime < limits.minLifetime || lifetime > limits.maxLifetime) {
    return fail(`lifetime (lt) ${lifetime} s is outside ${limits.minLifetime}..${limits.maxLifetime} s`);
  }
  return { ok: true, value: lifetime };
}

/** Binding letters: 1.0 U, UQ, S, SQ, US, UQS; 1.1+ any of U M H T S N (each once). */
export function parseBinding(raw: string | undefined): Validated<{ binding: string; queueInBinding: boolean }> {
  if (raw === undefined || raw === '' || !/^[UMHTSNQ]+$/.test(raw) || new Set(raw).size !== raw.length) {
    return fail(`binding (b) must be letters from U, M, H, T, S, N (Q in 1.0), each once; got "${raw ?? ''}"`);
  }
  return { ok: true, value: { binding: raw, queueInBinding: raw.includes('Q') } };
}

const KNOWN = new Set(['ep', 'lt', 'lwm2m', 'b', 'sms', 'Q']);

function additional(params: Map<string, string | undefined>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [key, value] of params) {
    if (KNOWN.has(key)) continue;
    out ??= {};
    out[key] = value ?? '';
  }
  return out;
}

export function parseRegisterRequest(
  query: readonly string[],
  objectLinks: string,
  limits: RegistrationLimits = DEFAULT_REGISTRATION_LIMITS,
): Validated<RegisterRequest> {
  const parsed = parseQuery(query);
  if (!parsed.ok) return parsed;
  const params = parsed.value;
  const endpoint = params.get('ep');
  if (!endpoint) return fail('missing endpoint client name (ep)');
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only long names need encoding to be measured.
  if (endpoint.length * 3 > limits.maxEndpointLength && utf8.encode(endpoint).length > limits.maxEndpointLength) {
    return fail(`endpoint client name (ep) longer than ${limits.maxEndpointLength} bytes`);
  }
  let lifetime = limits.defaultLifetime;
  if (params.has('lt')) {
    const lt = parseLifetime(params.get('lt'), limits);
    if (!lt.ok) return lt;
    lifetime = lt.value;
  }
  const version = params.get('lwm2m') ?? '1.0';
  if (!SUPPORTED_LWM2M_VERSIONS.includes(version as Lwm2mVersion)) {
    return fail(`LwM2M version "${version}" is not supported (1.0, 1.1, 1.2)`, ResponseCode.PRECONDITION_FAILED);
  }
  let binding = 'U';
  let queueMode = false;
  if (params.has('b')) {
    const b = parseBinding(params.get('b'));
    if (!b.ok) return b;
    binding = b.value.binding;
    queueMode = b.value.queueInBinding;
  }
  if (params.has('Q')) {
    if (params.get('Q') !== undefined) return fail('queue mode parameter (Q) takes no value');
    queueMode = true;
  }
  const sms = params.get('sms');
  const extra = additional(params);
  return {
    ok: true,
    value: {
      endpoint,
      lifetime,
      lwm2mVersion: version as Lwm2mVersion,
      binding,
      queueMode,
      ...(sms ? { smsNumber: sms } : {}),
      objectLinks,
      ...(extra ? { additionalAttributes: extra } : {}),
    },
  };
}

export function parseUpdateRequest(
  registrationId: string,
  query: readonly string[],
  objectLinks: string | undefined,
  limits: RegistrationLimits = DEFAULT_REGISTRATION_LIMITS,
): Validated<UpdateRequest> {
  const parsed = parseQuery(query);
  if (!parsed.ok) return parsed;
  const params = parsed.value;
  if (params.has('ep') || params.has('lwm2m')) return fail('Update may not change ep or lwm2m; register again instead');
  let lifetime: number | undefined;
  if (params.has('lt')) {
    const lt = parseLifetime(params.get('lt'), limits);
    if (!lt.ok) return lt;
    lifetime = lt.value;
  }
  let binding: string | undefined;
  let queueMode: boolean | undefined;
  if (params.has('b')) {
    const b = parseBinding(params.get('b'));
    if (!b.ok) return b;
    binding = b.value.binding;
    queueMode = b.value.queueInBinding;
  }
  if (params.has('Q')) queueMode = true;
  const sms = params.get('sms');
  const extra = additional(params);
  return {
    ok: true,
    value: {
      registrationId,
      ...(lifetime !== undefined ? { lifetime } : {}),
      ...(binding !== undefined ? { binding } : {}),
      ...(queueMode !== undefined ? { queueMode } : {}),
      ...(sms ? { smsNumber: sms } : {}),
      ...(objectLinks !== undefined && objectLinks.length > 0 ? { objectLinks } : {}),
      ...(extra ? { additionalAttributes: extra } : {}),
    },
  };
}
