/**
 * Notification attributes (OMA LwM2M TS Core 1.2 §5.1.2): pmin, pmax, gt, lt, st, epmin,
 * epmax, edge, con, hqmax. Parsed from a Write-Attributes query, checked, and rendered for
 * Discover.
 */
import { CoapError } from '@lwm2m-ts/coap';
import type { LwM2mPath, ResourceModel } from '@lwm2m-ts/objects';

export interface NotificationAttributes {
  /** Minimum period between notifications (s). */
  readonly pmin?: number;
  /** Maximum period without a notification (s). */
  readonly pmax?: number;
  /** Greater-than threshold. */
  readonly gt?: number;
  /** Less-than threshold. */
  readonly lt?: number;
  /** Step: minimum change since the last notification. */
  readonly st?: number;
  /** Minimum evaluation period (s). */
  readonly epmin?: number;
  /** Maximum evaluation period (s). */
  readonly epmax?: number;
  /** Boolean edge: 1 rising (false -> true), 0 falling. */
  readonly edge?: 0 | 1;
  /** 1: confirmable notifications, 0: non-confirmable. */
  readonly con?: 0 | 1;
  /** Historical queue maximum: notifications kept while sleeping. */
  readonly hqmax?: number;
}

export type AttributeName = keyof NotificationAttributes;
export const ATTRIBUTE_NAMES: readonly AttributeName[] = [
  'pmin',
  'pmax',
  'gt',
  'lt',
  'st',
  'epmin',
  'epmax',
  'edge',
  'con',
  'hqmax',
];
const LWM2M_1_2_ONLY: ReadonlySet<AttributeName> = new Set(['edge', 'con', 'hqmax']);
/** Attributes that only make sense on a numeric resource or resource instance. */
const VALUE_ATTRIBUTES: ReadonlySet<AttributeName> = new Set(['gt', 'lt', 'st']);

/** What a Write-Attributes request asks: values to set and names to clear ("pmin" alone). */
export interface AttributeChange {
  readonly set: NotificationAttributes;
  readonly clear: readonly AttributeName[];
}

const isName = (n: string): n is AttributeName => (ATTRIBUTE_NAMES as readonly string[]).includes(n);

/** Parses Uri-Query values of a Write-Attributes request; throws 4.00 on anything unknown or malformed. */
export function parseAttributeQuery(query: readonly string[], lwm2mVersion: string): AttributeChange {
  const set: Record<string, number> = {};
  const clear: AttributeName[] = [];
  for (const q of query) {
    const eq = q.indexOf('=');
    const name = eq < 0 ? q : q.slice(0, eq);
    if (!isName(name)) throw CoapError.badRequest(`unknown attribute "${name}"`);
    if (LWM2M_1_2_ONLY.has(name) && lwm2mVersion !== '1.2')
      throw CoapError.badRequest(`attribute "${name}" needs LwM2M 1.2`);
    if (name in set || clear.includes(name)) throw CoapError.badRequest(`attribute "${name}" given twice`);
    if (eq < 0) {
      clear.push(name);
      continue;
    }
    const text = q.slice(eq + 1);
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(text)) throw CoapError.badRequest(`attribute ${name}: "${text}" is not a number`);
    const value = Number(text);
    const integral = name !== 'gt' && name !== 'lt' && name !== 'st';
    if (integral && (!Number.isInteger(value) || value < 0))
      throw CoapError.badRequest(`attribute ${name} must be a non-negative integer, got ${text}`);
    if (name === 'st' && value < 0) throw CoapError.badRequest(`attribute st must not be negative, got ${text}`);
    if ((name === 'edge' || name === 'con') && value > 1) throw CoapError.badRequest(`attribute ${name} is 0 or 1`);
    set[name] = value;
  }
  return { set: set as NotificationAttributes, clear };
}

/** Applies a change to the attributes held at one level. */
export function applyChange(current: NotificationAttributes, change: AttributeChange): NotificationAttributes {
  const next: Record<string, number> = {
    ...(current as Record<string, number>),
    ...(change.set as Record<string, number>),
  };
  for (const name of change.clear) delete next[name];
  return next as NotificationAttributes;
}

/** Checks the attributes of one level may sit at `path` (value attributes on numeric resources only). */
export function checkPlacement(
  attrs: NotificationAttributes,
  path: LwM2mPath,
  resource: ResourceModel | undefined,
): void {
  for (const name of Object.keys(attrs) as AttributeName[]) {
    if (VALUE_ATTRIBUTES.has(name)) {
      const numeric = resource && ['integer', 'unsigned', 'float'].includes(resource.type);
      if (!path.isResource() && !path.isResourceInstance())
        throw CoapError.badRequest(`attribute ${name} applies to a resource, not ${path}`);
      if (!numeric) throw CoapError.badRequest(`attribute ${name} needs a numeric resource, ${path} is not`);
    }
    if (name === 'edge' && resource?.type !== 'boolean')
      throw CoapError.badRequest(`attribute edge needs a boolean resource, ${path} is not`);
  }
}

/** Consistency of effective attributes (pmin <= pmax, epmin <= epmax, lt < gt with room for st). */
export function checkConsistency(attrs: NotificationAttributes): void {
  const { pmin, pmax, gt, lt, st, epmin, epmax } = attrs;
  if (pmin !== undefined && pmax !== undefined && pmax < pmin)
    throw CoapError.badRequest(`pmax (${pmax}) must not be below pmin (${pmin})`);
  if (epmin !== undefined && epmax !== undefined && epmax < epmin)
    throw CoapError.badRequest(`epmax (${epmax}) must not be below epmin (${epmin})`);
  if (gt !== undefined && lt !== undefined) {
    if (lt >= gt) throw CoapError.badRequest(`lt (${lt}) must be below gt (${gt})`);
    if (st !== undefined && lt + 2 * st >= gt) throw CoapError.badRequest(`lt + 2*st must be below gt`);
  }
}

/** `;pmin=10;pmax=60` for Discover, in a fixed order. */
export function attributeLinkParams(attrs: NotificationAttributes): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const name of ATTRIBUTE_NAMES) {
    const v = attrs[name];
    if (v !== undefined) out.push({ name, value: String(v) });
  }
  return out;
}
