import { CodecError, type Link, type LinkAttribute, parseLinkFormat, serializeLinkFormat } from '@lwm2m-ts/codec';
import { LwM2mPath } from '../path/lwm2m-path';

/** One object a client declares at registration: its id, version (when not 1.0) and instances. */
export interface RegisteredObject {
  readonly objectId: number;
  /** Object version, e.g. "1.1"; omitted (or "1.0") means the default 1.0. */
  readonly version?: string;
  readonly instanceIds: readonly number[];
}

/**
 * The body of Register / Update (OMA LwM2M TS Core 1.1+, 6.2.1 / 7.4): an optional root link
 * `</>;rt="oma.lwm2m"` carrying the alternate path and the supported content formats (`ct`), then
 * one link per object instance, plus `</o>` for objects without instances or with a version.
 */
export interface RegistrationPayload {
  /** Alternate path ("/" by default); object links are prefixed with it. */
  readonly rootPath: string;
  /** Content formats from `ct` on the root link, if any. */
  readonly contentFormats: readonly number[];
  readonly objects: readonly RegisteredObject[];
}

const VERSION = /^\d+\.\d+$/;

function joinRoot(root: string, path: string): string {
  return root === '/' ? path : `${root.replace(/\/$/, '')}${path}`;
}

/**
 * Builds the registration link list, e.g. `</>;rt="oma.lwm2m";ct=110,</1/0>,</3>;ver=1.1,</3/0>`.
 * The root link is written when there is an alternate path or content formats to announce.
 */
export function buildRegistrationPayload(
  payload: Partial<RegistrationPayload> & Pick<RegistrationPayload, 'objects'>,
): string {
  const root = payload.rootPath ?? '/';
  if (!root.startsWith('/')) throw new RangeError(`alternate path must start with "/", got "${root}"`);
  const formats = payload.contentFormats ?? [];
  const links: Link[] = [];
  if (root !== '/' || formats.length > 0) {
    const attributes: LinkAttribute[] = [{ name: 'rt', value: 'oma.lwm2m', quoted: true }];
    if (formats.length === 1) attributes.push({ name: 'ct', value: String(formats[0]) });
    else if (formats.length > 1) attributes.push({ name: 'ct', value: formats.join(' '), quoted: true });
    links.push({ href: root, attributes });
  }
  const objects = [...payload.objects].sort((a, b) => a.objectId - b.objectId);
  for (const o of objects) {
    const path = LwM2mPath.of(o.objectId);
    const versioned = o.version !== undefined && o.version !== '1.0';
    if (versioned && !VERSION.test(o.version!))
      throw new RangeError(`object ${o.objectId} version "${o.version}" is not "major.minor"`);
    if (versioned || o.instanceIds.length === 0) {
      links.push({
        href: joinRoot(root, path.toString()),
        attributes: versioned ? [{ name: 'ver', value: o.version! }] : [],
      });
    }
    for (const id of [...o.instanceIds].sort((a, b) => a - b)) {
      links.push({ href: joinRoot(root, path.child(id).toString()), attributes: [] });
    }
  }
  return serializeLinkFormat(links);
}

/**
 * Parses a Register / Update body. Links outside the alternate path and links that are not
 * /o or /o/i paths are rejected with a `CodecError`, as a server answers them with 4.00.
 * (Runs once per Register: plain loops, no destructuring or closures per link.)
 */
export function parseRegistrationPayload(text: string): RegistrationPayload {
  const links = parseLinkFormat(text);
  let rootPath = '/';
  let contentFormats: number[] = [];
  let rootLink: Link | undefined;
  for (let i = 0; i < links.length && rootLink === undefined; i++) {
    const attributes = links[i]!.attributes;
    for (let k = 0; k < attributes.length; k++) {
      const a = attributes[k]!;
      if (a.name === 'rt' && a.value === 'oma.lwm2m') {
        rootLink = links[i];
        break;
      }
    }
  }
  if (rootLink) {
    rootPath = rootLink.href === '' ? '/' : rootLink.href;
    const ct = attributeValue(rootLink, 'ct');
    if (ct !== undefined) {
      if (ct === true) throw new CodecError('registration: ct needs a value', { location: `<${rootLink.href}>` });
      contentFormats = parseContentFormats(ct, rootLink.href);
    }
  }
  const prefix = rootPath === '/' ? '' : rootPath.replace(/\/$/, '');
  const objects = new Map<number, { version?: string; instanceIds: number[] }>();
  for (let i = 0; i < links.length; i++) {
    const link = links[i]!;
    if (link === rootLink) continue;
    const href = link.href;
    if (prefix && !href.startsWith(`${prefix}/`)) {
      throw new CodecError(`registration: link is outside the alternate path ${rootPath}`, { location: `<${href}>` });
    }
    const relative = prefix ? href.slice(prefix.length) : href;
    const path = LwM2mPath.tryParse(relative);
    if (!path || !relative.startsWith('/') || (!path.isObject() && !path.isObjectInstance())) {
      throw new CodecError('registration: a link must be an object or object instance path', {
        location: `<${href}>`,
      });
    }
    const objectId = path.objectId!;
    let entry = objects.get(objectId);
    if (entry === undefined) {
      entry = { instanceIds: [] };
      objects.set(objectId, entry);
    }
    const ver = attributeValue(link, 'ver');
    if (ver !== undefined) {
      if (ver === true || !VERSION.test(ver))
        throw new CodecError(`registration: ver must be "major.minor"`, { location: `<${href}>` });
      entry.version = ver;
    }
    if (path.isObjectInstance() && !entry.instanceIds.includes(path.objectInstanceId!)) {
      entry.instanceIds.push(path.objectInstanceId!);
    }
  }
  const ids = Array.from(objects.keys()).sort(byNumber);
  const registered: RegisteredObject[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const objectId = ids[i]!;
    const e = objects.get(objectId)!;
    const instanceIds = e.instanceIds.sort(byNumber);
    registered[i] = e.version !== undefined ? { objectId, version: e.version, instanceIds } : { objectId, instanceIds };
  }
  return { rootPath, contentFormats, objects: registered };
}

const byNumber = (a: number, b: number): number => a - b;

/** The value of the first attribute named `name`, as `links.attributes.find(...)?.value` gives it. */
function attributeValue(link: Link, name: string): string | true | undefined {
  const attributes = link.attributes;
  for (let k = 0; k < attributes.length; k++) if (attributes[k]!.name === name) return attributes[k]!.value;
  return undefined;
}

const CONTENT_FORMAT = /^\d{1,5}$/;

/** `ct="60 110 112"`: whitespace-separated content formats, each 0..65535. */
function parseContentFormats(ct: string, href: string): number[] {
  const values = ct.trim().split(/\s+/);
  const formats: number[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!CONTENT_FORMAT.test(v) || Number(v) > 65535) {
      throw new CodecError(`registration: ct "${ct}" is not a list of content formats`, { location: `<${href}>` });
    }
    formats[i] = Number(v);
  }
  return formats;
}
