import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DdfError } from './ddf-error';
import { parseRange } from './range';
import type { ObjectModel, Operations, ResourceModel, ResourceType } from './types';
import { normalizeVersion } from './version';

export interface ParseDdfOptions {
  /** Named in error messages, e.g. the file name. */
  readonly source?: string;
}

type XmlNode = Record<string, unknown>;

const ATTR = '@_';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  // Keep every value as text: "1.10" must not become the number 1.1.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === 'Object' || name === 'Item',
});

const TYPES: Readonly<Record<string, ResourceType>> = {
  '': 'none',
  string: 'string',
  integer: 'integer',
  unsignedinteger: 'unsigned',
  float: 'float',
  boolean: 'boolean',
  opaque: 'opaque',
  time: 'time',
  objlnk: 'objlnk',
  corelnk: 'corelnk',
};

/**
 * Reads an OMA/IPSO DDF document (LWM2M.xsd, LWM2M-v1_1.xsd, or the older IPSO texts) into
 * object models. A document may hold several `<Object>`s. Elements are found by name (case
 * insensitive), text is trimmed with CRLF folded to LF, missing/empty versions become "1.0".
 * Throws {@link DdfError} naming the document and element when something is malformed.
 */
export function parseDdf(xml: string, options: ParseDdfOptions = {}): ObjectModel[] {
  const source = options.source;
  const text = xml.replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new DdfError(`malformed XML: ${valid.err.msg}`, source, undefined, valid.err.line);
  }
  let document: XmlNode;
  try {
    document = parser.parse(text) as XmlNode;
  } catch (error) {
    throw new DdfError(`malformed XML: ${(error as Error).message}`, source, undefined);
  }
  const root = child(document, 'LWM2M');
  if (root === undefined) {
    const found = Object.keys(document).filter((key) => !key.startsWith('?'));
    throw new DdfError(`root element is <${found[0] ?? 'nothing'}>, expected <LWM2M>`, source, undefined);
  }
  const objects = child(asNode(root), 'Object');
  if (!Array.isArray(objects) || objects.length === 0) {
    throw new DdfError('no <Object> element', source, 'LWM2M');
  }
  return objects.map((object, index) => readObject(asNode(object), new Reader(source, `LWM2M/Object[${index}]`)));
}

function readObject(object: XmlNode, at: Reader): ObjectModel {
  const id = at.integer(object, 'ObjectID');
  const version = normalizeVersion(at.text(object, 'ObjectVersion'));
  const description2 = at.text(object, 'Description2');
  const resources = new Map<number, ResourceModel>();
  const container = child(object, 'Resources');
  if (Array.isArray(container)) throw at.error(`<Resources> appears ${container.length} times`, 'Resources');
  const items =
    container !== undefined && typeof container === 'object' ? child(container as XmlNode, 'Item') : undefined;
  if (Array.isArray(items)) {
    items.forEach((item, index) => {
      const resource = readResource(asNode(item), at.attributeId(asNode(item), `Resources/Item[${index}]`));
      if (resources.has(resource.id)) {
        throw at.error(`resource ${resource.id} is defined twice`, `Resources/Item[ID=${resource.id}]`);
      }
      resources.set(resource.id, resource);
    });
  }
  return {
    id,
    name: at.required(object, 'Name'),
    description: at.text(object, 'Description1') ?? '',
    ...(description2 ? { description2 } : {}),
    version,
    lwm2mVersion: normalizeVersion(at.text(object, 'LWM2MVersion')),
    urn: at.text(object, 'ObjectURN') || defaultUrn(id, version),
    multiple: at.choice(object, 'MultipleInstances', 'Multiple', 'Single'),
    mandatory: at.choice(object, 'Mandatory', 'Mandatory', 'Optional'),
    resources,
  };
}

function readResource(item: XmlNode, at: Reader): ResourceModel {
  const range = parseRange(at.text(item, 'RangeEnumeration'));
  const units = at.text(item, 'Units');
  return {
    id: at.id,
    name: at.required(item, 'Name'),
    operations: at.operations(item),
    multiple: at.choice(item, 'MultipleInstances', 'Multiple', 'Single'),
    mandatory: at.choice(item, 'Mandatory', 'Mandatory', 'Optional'),
    type: at.type(item),
    ...(range !== undefined ? { range } : {}),
    ...(units ? { units } : {}),
    description: at.text(item, 'Description') ?? '',
  };
}

/** URN per the OMNA ID ranges (LwM2M Core §7.2.2), used only when a DDF omits `<ObjectURN>`. */
function defaultUrn(id: number, version: string): string {
  const space = id < 2048 ? 'oma' : id <= 10240 ? 'ext' : 'x';
  return `urn:oma:lwm2m:${space}:${id}${version === '1.0' ? '' : `:${version}`}`;
}

/** Reads typed values out of one element, naming the element path in every error. */
class Reader {
  constructor(
    private readonly source: string | undefined,
    private readonly path: string,
    readonly id = -1,
  ) {}

  error(problem: string, element?: string): DdfError {
    return new DdfError(problem, this.source, element === undefined ? this.path : `${this.path}/${element}`);
  }

  attributeId(item: XmlNode, element: string): Reader {
    const raw = textOf(item[`${ATTR}ID`] ?? attributeCaseless(item, 'ID'));
    if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) > 65535) {
      throw this.error(`attribute ID is ${raw === undefined ? 'missing' : `"${raw}"`}, expected 0..65535`, element);
    }
    return new Reader(this.source, `${this.path}/Resources/Item[ID=${raw}]`, Number(raw));
  }

  /** Trimmed text of a child element, undefined when the element is absent. */
  text(node: XmlNode, name: string): string | undefined {
    const value = child(node, name);
    if (value === undefined) return undefined;
    if (Array.isArray(value)) {
      const texts = value.map(textOf).filter((text) => text !== undefined && text !== '');
      if (new Set(texts).size > 1)
        throw this.error(`<${name}> appears ${value.length} times with different values`, name);
      return texts[0] ?? '';
    }
    const text = textOf(value);
    if (text === undefined) throw this.error(`<${name}> must hold text, found nested elements`, name);
    return text;
  }

  required(node: XmlNode, name: string): string {
    const text = this.text(node, name);
    if (text === undefined || text === '')
      throw this.error(`<${name}> is ${text === undefined ? 'missing' : 'empty'}`, name);
    return text;
  }

  integer(node: XmlNode, name: string): number {
    const text = this.required(node, name);
    if (!/^\d+$/.test(text) || Number(text) > 65535)
      throw this.error(`<${name}> is "${text}", expected 0..65535`, name);
    return Number(text);
  }

  /** True for `yes` (e.g. "Multiple", "Mandatory"), false for `no`, compared case-insensitively. */
  choice(node: XmlNode, name: string, yes: string, no: string): boolean {
    const text = this.required(node, name).toLowerCase();
    if (text === yes.toLowerCase()) return true;
    if (text === no.toLowerCase()) return false;
    throw this.error(`<${name}> is "${this.text(node, name)}", expected ${yes} or ${no}`, name);
  }

  operations(node: XmlNode): Operations {
    const text = (this.text(node, 'Operations') ?? '').toUpperCase().replace(/\s+/g, '');
    if (!/^[RWE]*$/.test(text) || /(.).*\1/.test(text)) {
      throw this.error(
        `<Operations> is "${this.text(node, 'Operations')}", expected R, W, RW, E or empty`,
        'Operations',
      );
    }
    return { read: text.includes('R'), write: text.includes('W'), execute: text.includes('E') };
  }

  type(node: XmlNode): ResourceType {
    const raw = this.text(node, 'Type') ?? '';
    const type = TYPES[raw.toLowerCase().replace(/\s+/g, '')];
    if (type === undefined) {
      throw this.error(
        `<Type> is "${raw}", expected String, Integer, Unsigned Integer, Float, Boolean, Opaque, Time, Objlnk, Corelnk or empty`,
        'Type',
      );
    }
    return type;
  }
}

function child(node: XmlNode, name: string): unknown {
  if (name in node) return node[name];
  const wanted = name.toLowerCase();
  const key = Object.keys(node).find((candidate) => candidate.toLowerCase() === wanted);
  return key === undefined ? undefined : node[key];
}

function attributeCaseless(node: XmlNode, name: string): unknown {
  return child(node, `${ATTR}${name}`);
}

function asNode(value: unknown): XmlNode {
  // An element with neither children nor attributes parses as "" (e.g. an empty <Item/>).
  return value !== null && typeof value === 'object' ? (value as XmlNode) : {};
}

/** Text of a parsed element: a string, or `#text` of an element that has attributes. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return clean(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const node = value as XmlNode;
    const keys = Object.keys(node).filter((key) => !key.startsWith(ATTR));
    if (keys.length === 0) return '';
    if (keys.length === 1 && keys[0] === '#text') return clean(String(node['#text']));
  }
  return undefined;
}

function clean(text: string): string {
  // Indentation of the XML source is not part of the text: trim every line, fold CRLF to LF.
  return text
    .split(/\r\n?|\n/)
    .map((line) => line.trim())
    .join('\n')
    .trim();
}
