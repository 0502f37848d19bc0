import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import type { LwM2mPath } from '../path/lwm2m-path';

/** Turns a node addressed by `path` into a payload. Throws `CodecError` (4.06) if the format cannot carry it. */
export interface NodeEncoder {
  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array;
}

/**
 * Turns a payload received for `path` into a node, typing values with `lookup` (resources it does
 * not know are typed from the payload itself). Throws `CodecError` on malformed payloads.
 */
export interface NodeDecoder {
  decode(payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode;
}

/** Multi-path bodies (Read-Composite, Observe-Composite, Write-Composite, Send). */
export interface CompositeNodeCodec {
  /** The request body of Read-/Observe-Composite: the paths only. */
  encodePaths(paths: readonly LwM2mPath[]): Uint8Array;
  decodePaths(payload: Uint8Array): LwM2mPath[];
  /** Nodes keyed by path (string "/3/0/1" or `LwM2mPath`), in the map's order. */
  encodeNodes(nodes: ReadonlyMap<LwM2mPath | string, LwM2mNode>): Uint8Array;
  /**
   * Without `paths`, every value becomes its own entry (a resource or resource instance), as a
   * Write-Composite or Send body is read. With `paths` (those of a Read-Composite request), values
   * are grouped under the requested path that contains them, and requested paths with no value
   * are left out.
   */
  decodeNodes(payload: Uint8Array, lookup?: ResourceModelLookup, paths?: readonly LwM2mPath[]): Map<string, LwM2mNode>;
  /** Values with their times, as a Send or a notification carrying history holds them (SenML only). */
  encodeTimestamped?(groups: readonly TimestampedNodes[]): Uint8Array;
  decodeTimestamped?(payload: Uint8Array, lookup?: ResourceModelLookup): TimestampedNodes[];
}

/**
 * Nodes measured at one time. `timestamp` is the SenML resolved time (bt + t) as sent: seconds
 * since the epoch, or, below 2^28, relative to now (RFC 8428 section 4.5.3); undefined when the
 * records carry no time.
 */
export interface TimestampedNodes {
  readonly timestamp: number | undefined;
  readonly nodes: ReadonlyMap<LwM2mPath | string, LwM2mNode>;
}

/** One content format: its number, a name for messages, and its encoder/decoder pair. */
export interface NodeCodec extends NodeEncoder, NodeDecoder {
  readonly contentFormat: number;
  readonly name: string;
  readonly composite?: CompositeNodeCodec;
}
