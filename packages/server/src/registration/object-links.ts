/**
 * What a registration payload says, interpreted the LwM2M way (Core §6.2.1): an optional root
 * link `</path>;rt="oma.lwm2m";ct=...` (alternate root path, supported content formats), then
 * object links `</o>;ver=1.1` and object-instance links `</o/i>` under that root.
 */
import { CodecError, type Link, parseLinkFormat } from '@lwm2m-ts/codec';

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

const VERSION_RE = /^\d{1,3}\.\d{1,3}$/;

/** Decimal id 0..65535 without leading zeros, or -1. (Hot path: no regex, no allocation.) */
function parseId(text: string, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > 5 || (length > 1 && text.charCodeAt(from) === 0x30)) return -1;
  let id = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    id = id * 10 + c;
  }
  return id <= 65535 ? id : -1;
}

function attribute(link: Link, name: string): string | true | undefined {
  for (const a of link.attributes) if (a.name === name) return a.value;
  return undefined;
}

/** Parses and validates; throws `CodecError` saying which link is wrong. */
export function parseRegistrationLinks(text: string): RegistrationLinks {
  const links = parseLinkFormat(text);
  let rootPath = '/';
  let contentFormats: number[] = [];
  let rootLink: Link | undefined;
  for (const link of links) {
    if (attribute(link, 'rt') !== 'oma.lwm2m') continue;
    rootLink = link;
    rootPath = link.href.length > 1 && link.href.endsWith('/') ? link.href.slice(0, -1) : link.href;
    if (!rootPath.startsWith('/')) throw new CodecError(`root link "<${link.href}>" must be an absolute path`);
    const ct = attribute(link, 'ct');
    if (typeof ct === 'string') {
      contentFormats = ct.split(/\s+/).filter(Boolean).map(Number);
      if (contentFormats.some((f) => !Number.isInteger(f) || f < 0 || f > 65535)) {
        throw new CodecError(`root link ct="${ct}" is not a list of content formats`);
      }
    }
  }
  const prefixLength = rootPath === '/' ? 0 : rootPath.length;
  const objects = new Map<number, { version: string; instances: number[] }>();
  for (const link of links) {
    if (link === rootLink) continue;
    const href = link.href;
    if (href.charCodeAt(prefixLength) !== 0x2f || (prefixLength > 0 && !href.startsWith(rootPath))) {
      throw new CodecError(`link "<${href}>" is not under the root path "${rootPath}"`);
    }
    const start = prefixLength + 1;
    const slash = href.indexOf('/', start);
    const objectId = parseId(href, start, slash < 0 ? href.length : slash);
    const instanceId = slash < 0 ? undefined : parseId(href, slash + 1, href.length);
    if (objectId < 0 || instanceId === -1) {
      throw new CodecError(`link "<${href}>" is not an object (/o) or object instance (/o/i) path`);
    }
    const ver = link.attributes.length > 0 ? attribute(link, 'ver') : undefined;
    if (ver !== undefined && (ver === true || !VERSION_RE.test(ver))) {
      throw new CodecError(`link "<${href}>" has an invalid ver attribute`);
    }
    let entry = objects.get(objectId);
    if (!entry) {
      entry = { version: '1.0', instances: [] };
      objects.set(objectId, entry);
    }
    if (typeof ver === 'string') entry.version = ver;
    if (instanceId !== undefined && !entry.instances.includes(instanceId)) entry.instances.push(instanceId);
  }
  for (const entry of objects.values()) if (entry.instances.length > 1) entry.instances.sort((a, b) => a - b);
  return { rootPath, contentFormats, objects };
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
