/**
 * Object and resource definitions, as read from OMA/IPSO DDF XML (LWM2M.xsd / LWM2M-v1_1.xsd).
 * Plain data: loaders produce them, the registry indexes them, codecs and validation read them.
 */

export type ResourceType =
  | 'string'
  | 'integer'
  | 'unsigned'
  | 'float'
  | 'boolean'
  | 'opaque'
  | 'time'
  | 'objlnk'
  | 'corelnk'
  /** Executable resources and DDF `<Type/>` left empty. */
  | 'none';

/** DDF `<Operations>`: R, W, RW, E, or empty (none, e.g. in the Security object). */
export interface Operations {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/** A parsed `<RangeEnumeration>`: numeric range, length range for strings/opaque, enumeration, or kept as text. */
export type RangeSpec =
  | { readonly kind: 'range'; readonly min: number | bigint; readonly max: number | bigint }
  | { readonly kind: 'enumeration'; readonly values: readonly (number | string)[] }
  | { readonly kind: 'text'; readonly text: string };

export interface ResourceModel {
  readonly id: number;
  readonly name: string;
  readonly operations: Operations;
  readonly multiple: boolean;
  readonly mandatory: boolean;
  readonly type: ResourceType;
  readonly range?: RangeSpec;
  readonly units?: string;
  readonly description: string;
}

export interface ObjectModel {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** DDF `<Description2>`, when present and not blank (IPSO objects put notes there). */
  readonly description2?: string;
  /** Object version, "1.0" when missing or empty in the DDF. */
  readonly version: string;
  /** LwM2M enabler version the object was defined for, "1.0" when missing. */
  readonly lwm2mVersion: string;
  readonly urn: string;
  readonly multiple: boolean;
  readonly mandatory: boolean;
  readonly resources: ReadonlyMap<number, ResourceModel>;
}

/** What codecs need to type values on decode: the resource model at /o/i/r, if known. */
export type ResourceModelLookup = (objectId: number, resourceId: number) => ResourceModel | undefined;
