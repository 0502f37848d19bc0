/**
 * Requests the server sends to a registered client (Device Management & Service Enablement,
 * Information Reporting) and to a bootstrapping client, as plain typed values. Paths are
 * `LwM2mPath`s, contents are node-tree values; the CoAP adapter turns them into messages.
 */
import type { LwM2mNode, LwM2mPath, ObjectInstance } from '@lwm2m-ts/objects';
import type { ObservationInfo } from '../observation/observation';

/** A content format number (`ContentFormat` from `@lwm2m-ts/codec`, e.g. 11542 TLV, 110 SenML JSON). */
export type ContentFormatId = number;

/** `/3/0/1` or an `LwM2mPath`. */
export type PathInput = string | LwM2mPath;

/** Notification attributes (Write-Attributes): a number sets, `null` removes ("?pmin" without value). */
export type AttributeName = 'pmin' | 'pmax' | 'gt' | 'lt' | 'st' | 'epmin' | 'epmax' | 'edge' | 'con' | 'hqmax';
export type NotificationAttributes = Partial<Record<AttributeName, number | null>>;
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

/** One Execute argument: digit 0..9 and an optional value (no quote characters). */
export interface ExecuteArgument {
  readonly id: number;
  readonly value?: string;
}

export interface ReadRequest {
  readonly kind: 'read';
  readonly path: LwM2mPath;
  readonly format?: ContentFormatId;
}
export interface WriteRequest {
  readonly kind: 'write';
  readonly path: LwM2mPath;
  /** `replace` (PUT) or `update` (POST, partial update of an object instance). */
  readonly mode: 'replace' | 'update';
  readonly node: LwM2mNode;
  readonly format?: ContentFormatId;
}
export interface ExecuteRequest {
  readonly kind: 'execute';
  readonly path: LwM2mPath;
  readonly arguments?: readonly ExecuteArgument[];
}
export interface CreateRequest {
  readonly kind: 'create';
  /** The object path (`/o`). */
  readonly path: LwM2mPath;
  /** Instances to create; with `clientChoosesId` only one instance, whose id is not sent. */
  readonly instances: readonly ObjectInstance[];
  readonly clientChoosesId: boolean;
  readonly format?: ContentFormatId;
}
export interface DeleteRequest {
  readonly kind: 'delete';
  readonly path: LwM2mPath;
}
export interface DiscoverRequest {
  readonly kind: 'discover';
  readonly path: LwM2mPath;
  /** LwM2M 1.1+ `depth` query (0..3). */
  readonly depth?: number;
}
export interface WriteAttributesRequest {
  readonly kind: 'write-attributes';
  readonly path: LwM2mPath;
  readonly attributes: NotificationAttributes;
}
export interface ReadCompositeRequest {
  readonly kind: 'read-composite';
  readonly paths: readonly LwM2mPath[];
  /** Format of the request payload listing the paths (SenML JSON/CBOR). */
  readonly requestFormat?: ContentFormatId;
  readonly responseFormat?: ContentFormatId;
}
export interface WriteCompositeRequest {
  readonly kind: 'write-composite';
  /** Path -> node to write (resources or resource instances). */
  readonly nodes: ReadonlyMap<string, LwM2mNode>;
  readonly format?: ContentFormatId;
}
export interface ObserveRequest {
  readonly kind: 'observe';
  readonly path: LwM2mPath;
  readonly format?: ContentFormatId;
}
export interface ObserveCompositeRequest {
  readonly kind: 'observe-composite';
  readonly paths: readonly LwM2mPath[];
  readonly requestFormat?: ContentFormatId;
  readonly responseFormat?: ContentFormatId;
}
/** Active cancel: a GET/FETCH with Observe=1 and the observation's token. */
export interface CancelObservationRequest {
  readonly kind: 'cancel-observation';
  readonly observation: ObservationInfo;
}
export interface BootstrapDeleteRequest {
  readonly kind: 'bootstrap-delete';
  /** "/" (everything) when absent. */
  readonly path?: LwM2mPath;
}
export interface BootstrapWriteRequest {
  readonly kind: 'bootstrap-write';
  readonly path: LwM2mPath;
  readonly node: LwM2mNode;
  readonly format?: ContentFormatId;
}
export interface BootstrapDiscoverRequest {
  readonly kind: 'bootstrap-discover';
  readonly path?: LwM2mPath;
}
export interface BootstrapReadRequest {
  readonly kind: 'bootstrap-read';
  readonly path: LwM2mPath;
  readonly format?: ContentFormatId;
}
export interface BootstrapFinishRequest {
  readonly kind: 'bootstrap-finish';
}

export type DeviceManagementRequest =
  | ReadRequest
  | WriteRequest
  | ExecuteRequest
  | CreateRequest
  | DeleteRequest
  | DiscoverRequest
  | WriteAttributesRequest
  | ReadCompositeRequest
  | WriteCompositeRequest
  | ObserveRequest
  | ObserveCompositeRequest
  | CancelObservationRequest;

export type BootstrapRequest =
  | BootstrapDeleteRequest
  | BootstrapWriteRequest
  | BootstrapDiscoverRequest
  | BootstrapReadRequest
  | BootstrapFinishRequest;

export type DownlinkRequest = DeviceManagementRequest | BootstrapRequest;
export type DownlinkRequestKind = DownlinkRequest['kind'];
