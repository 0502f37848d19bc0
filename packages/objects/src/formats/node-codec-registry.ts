import { CodecError } from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import type { LwM2mPath } from '../path/lwm2m-path';
import { cborNodeCodec } from './cbor-format';
import { lwm2mCborNodeCodec } from './lwm2m-cbor-format';
import { lwm2mJsonNodeCodec } from './lwm2m-json-format';
import type { CompositeNodeCodec, NodeCodec, TimestampedNodes } from './node-codec';
import { opaqueNodeCodec } from './opaque-format';
import { senmlCborNodeCodec, senmlJsonNodeCodec } from './senml-format';
import { textNodeCodec } from './text-format';
import { tlvNodeCodec } from './tlv-format';

/** Every content format this package ships: text, opaque, CBOR, TLV, SenML JSON/CBOR, LwM2M CBOR, LwM2M JSON. */
export const BUILT_IN_NODE_CODECS: readonly NodeCodec[] = Object.freeze([
  textNodeCodec,
  opaqueNodeCodec,
  cborNodeCodec,
  tlvNodeCodec,
  senmlJsonNodeCodec,
  senmlCborNodeCodec,
  lwm2mCborNodeCodec,
  lwm2mJsonNodeCodec,
]);

/**
 * The numbers pre-release LwM2M 1.0 clients used (1541 text, 1542 TLV, 1543 JSON, 1544 opaque),
 * mapped onto the same codecs so old devices keep working (Leshan does the same).
 */
export const LEGACY_NODE_CODECS: readonly NodeCodec[] = Object.freeze([
  { ...textNodeCodec, contentFormat: 1541 },
  { ...tlvNodeCodec, contentFormat: 1542 },
  { ...lwm2mJsonNodeCodec, contentFormat: 1543 },
  { ...opaqueNodeCodec, contentFormat: 1544 },
]);

/**
 * Content format number -> node encoder/decoder, open to registration (Leshan's
 * `ContentFormat -> NodeEncoder` map). Unknown formats throw a `CodecError` with 4.15.
 */
export class NodeCodecRegistry {
  private readonly codecs = new Map<number, NodeCodec>();

  constructor(codecs: Iterable<NodeCodec> = [...BUILT_IN_NODE_CODECS, ...LEGACY_NODE_CODECS]) {
    for (const codec of codecs) this.register(codec);
  }

  /** Adds or replaces the codec for `codec.contentFormat`. */
  register(codec: NodeCodec): this {
    this.codecs.set(codec.contentFormat, codec);
    return this;
  }

  unregister(contentFormat: number): boolean {
    return this.codecs.delete(contentFormat);
  }

  get(contentFormat: number): NodeCodec | undefined {
    return this.codecs.get(contentFormat);
  }

  supports(contentFormat: number): boolean {
    return this.codecs.has(contentFormat);
  }

  /** Registered content format numbers, ascending. */
  contentFormats(): number[] {
    return [...this.codecs.keys()].sort((a, b) => a - b);
  }

  /** Content formats that carry composite (multi-path) bodies. */
  compositeContentFormats(): number[] {
    return this.contentFormats().filter((f) => this.codecs.get(f)?.composite);
  }

  encode(contentFormat: number, node: LwM2mNode, path: LwM2mPath): Uint8Array {
    return this.require(contentFormat).encode(node, path);
  }

  /** Errors that do not name a location already (e.g. a bad TLV byte) are given the target path. */
  decode(contentFormat: number, payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode {
    const codec = this.require(contentFormat);
    try {
      return codec.decode(payload, path, lookup);
    } catch (e) {
      if (!CodecError.isInstance(e) || e.location !== undefined) throw e;
      const message = e.message.replace(/ \(offset \d+\)$/, '');
      throw new CodecError(`${codec.name} payload for ${path}: ${message}`, {
        location: String(path),
        ...(e.offset !== undefined ? { offset: e.offset } : {}),
        responseCode: e.responseCode,
        cause: e,
      });
    }
  }

  /** Write-Composite / Send / Read-Composite response body from nodes keyed by path. */
  encodeComposite(contentFormat: number, nodes: ReadonlyMap<LwM2mPath | string, LwM2mNode>): Uint8Array {
    return this.composite(contentFormat).encodeNodes(nodes);
  }

  /** See `CompositeNodeCodec.decodeNodes`; keys of the result are path strings ("/3/0/1"). */
  decodeComposite(
    contentFormat: number,
    payload: Uint8Array,
    lookup?: ResourceModelLookup,
    paths?: readonly LwM2mPath[],
  ): Map<string, LwM2mNode> {
    return this.composite(contentFormat).decodeNodes(payload, lookup, paths);
  }

  /** Values grouped by time (Send, notifications with history); SenML JSON and CBOR. */
  encodeTimestamped(contentFormat: number, groups: readonly TimestampedNodes[]): Uint8Array {
    const composite = this.composite(contentFormat);
    if (!composite.encodeTimestamped) throw this.noTimestamps(contentFormat);
    return composite.encodeTimestamped(groups);
  }

  /** Groups in order of first appearance; within a group, one entry per value (as `decodeComposite`). */
  decodeTimestamped(contentFormat: number, payload: Uint8Array, lookup?: ResourceModelLookup): TimestampedNodes[] {
    const composite = this.composite(contentFormat);
    if (!composite.decodeTimestamped) throw this.noTimestamps(contentFormat);
    return composite.decodeTimestamped(payload, lookup);
  }

  private noTimestamps(contentFormat: number): CodecError {
    return new CodecError(`${this.require(contentFormat).name} (${contentFormat}) cannot carry timestamped values`, {
      responseCode: 0x8f,
    });
  }

  /** Read-/Observe-Composite request body: the list of paths. */
  encodePaths(contentFormat: number, paths: readonly LwM2mPath[]): Uint8Array {
    return this.composite(contentFormat).encodePaths(paths);
  }

  decodePaths(contentFormat: number, payload: Uint8Array): LwM2mPath[] {
    return this.composite(contentFormat).decodePaths(payload);
  }

  private require(contentFormat: number): NodeCodec {
    const codec = this.codecs.get(contentFormat);
    if (!codec) {
      throw new CodecError(`content format ${contentFormat} is not supported for LwM2M nodes`, { responseCode: 0x8f });
    }
    return codec;
  }

  private composite(contentFormat: number): CompositeNodeCodec {
    const codec = this.require(contentFormat);
    if (!codec.composite) {
      throw new CodecError(`${codec.name} (${contentFormat}) cannot carry composite bodies`, { responseCode: 0x8f });
    }
    return codec.composite;
  }
}

/** A registry with every built-in content format (a new instance each call: no shared state). */
export function createNodeCodecRegistry(): NodeCodecRegistry {
  return new NodeCodecRegistry();
}
