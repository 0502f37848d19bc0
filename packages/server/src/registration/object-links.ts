/**
 * What a registration payload says, interpreted the LwM2M way (Core §6.2.1): an optional root
 * link `</path>;rt="oma.lwm2m";ct=...` (alternate root path, supported content formats), then
 * object links `</o>;ver=1.1` and object-instance links `</o/i>` under that root.
 */
import { CodecError, getLinkAttribute, parseLinkFormat } from '@lwm2m-ts/codec';

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

const MAX_ID = 65535;
const VERSION_RE = /^\d{1,3}\.\d{1,3}$/;

function parseId(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

/** Parses and validates; throws `CodecError` saying which link is wrong. */
export function parseRegistrationLinks(text: string): RegistrationLinks {
  const links = parseLinkFormat(text);
  let rootPath = '/';
  let contentFormats: number[] = [];
  for (const link of links) {
    const rt = getLinkAttribute(link, 'rt');
    if (rt === 'oma.lwm2m') {
      rootPath = link.href.length > 1 && link.href.endsWith('/') ? link.href.slice(0, -1) : link.href;
      if (!rootPath.startsWith('/')) throw new CodecError(`root link "<${link.href}>" must be an absolute path`);
      const ct = getLinkAttribute(link, 'ct');
      if (typeof ct === 'string') {
        contentFormats = ct.split(/\s+/).filter(Boolean).map(Number);
        if (contentFormats.some((f) => !Number.isInteger(f) || f < 0 || f > 65535)) {
          throw new CodecError(`root link ct="${ct}" is not a list of content formats`);
        }
      }
    }
  }
  const prefix = rootPath === '/' ? '' : rootPath;
  const objects = new Map<number, { version: string; instances: number[] }>();
  for (const link of links) {
    if (getLinkAttribute(link, 'rt') === 'oma.lwm2m') continue;
    if (!link.href.startsWith(`${prefix}/`)) {
      throw new CodecError(`link "<${link.href}>" is not under the root path "${rootPath}"`);
    }
    const segments = link.href.slice(prefix.length + 1).split('/');
    const ids = segments.map(parseId);
    if (segments.length > 2 || ids.some((id) => id === undefined)) {
      throw new CodecError(`link "<${link.href}>" is not an object (/o) or object instance (/o/i) path`);
    }
    const [objectId, instanceId] = ids as number[];
    const ver = getLinkAttribute(link, 'ver');
    if (ver !== undefined && (ver === true || !VERSION_RE.test(ver))) {
      throw new CodecError(`link "<${link.href}>" has an invalid ver attribute`);
    }
    const entry = objects.get(objectId!) ?? { version: '1.0', instances: [] };
    if (typeof ver === 'string') entry.version = ver;
    if (instanceId !== undefined && !entry.instances.includes(instanceId)) entry.instances.push(instanceId);
    objects.set(objectId!, entry);
  }
  for (const entry of objects.values()) entry.instances.sort((a, b) => a - b);
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
