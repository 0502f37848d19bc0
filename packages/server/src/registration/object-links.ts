/**
 * What a registration payload says (Core §6.2.1), as the server uses it: alternate root path,
 * content formats, and object id -> { version, instances }. Parsing is `@lwm2m-ts/objects`'
 * `parseRegistrationPayload`; this adds the lookup-friendly shape and a per-registration cache.
 */
import { CodecError } from '@lwm2m-ts/codec';
import { parseRegistrationPayload } from '@lwm2m-ts/objects';

export interface SupportedObject {
  /** `ver` attribute, or "1.0" when absent. */
  readonly version: string;
  readonly instances: readonly number[];
}

export interface RegistrationLinks {
  /** "/" unless the client declared an alternate root path ("/lwm2m"). No trailing slash except "/". */
  readonly rootPath: string;
  /** Content formats from the root link's `ct` (LwM2M 1.1+), if any. */
  readonly contentFormats: readonly number[];
  readonly objects: ReadonlyMap<number, SupportedObject>;
}

/** Parses and validates (via `parseRegistrationPayload`); throws `CodecError` saying which link is wrong. */
export function parseRegistrationLinks(text: string): RegistrationLinks {
  const payload = parseRegistrationPayload(text);
  const objects = new Map<number, SupportedObject>();
  for (const o of payload.objects) objects.set(o.objectId, { version: o.version ?? '1.0', instances: o.instanceIds });
  const rootPath =
    payload.rootPath.length > 1 && payload.rootPath.endsWith('/') ? payload.rootPath.slice(0, -1) : payload.rootPath;
  return { rootPath, contentFormats: payload.contentFormats, objects };
}

/** undefined when the payload is a valid registration payload, else what is wrong. */
export function checkRegistrationLinks(text: string): string | undefined {
  try {
    parseRegistrationLinks(text);
    return undefined;
  } catch (error) {
    if (CodecError.isInstance(error)) return `invalid registration payload: ${error.message}`;
    throw error;
  }
}

const cache = new WeakMap<object, RegistrationLinks>();
/** Parsed links of a registration, cached per registration value. */
export function registrationLinks(registration: { readonly objectLinks: string }): RegistrationLinks {
  let parsed = cache.get(registration);
  if (!parsed) {
    parsed = parseRegistrationLinks(registration.objectLinks);
    cache.set(registration, parsed);
  }
  return parsed;
}
