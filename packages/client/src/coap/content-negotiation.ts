/**
 * Content formats of requests and responses: Accept (4.06 when we cannot produce it),
 * Content-Format (4.15 when we cannot read it), defaults per LwM2M version, and codec errors
 * turned into response codes.
 */
import { CoapError } from '@lwm2m-ts/coap';
import { CodecError, ContentFormat } from '@lwm2m-ts/codec';
import type { LwM2mNode, LwM2mPath, NodeCodecRegistry, ResourceModelLookup, TimestampedNodes } from '@lwm2m-ts/objects';

export interface Encoded {
  readonly payload: Uint8Array;
  readonly contentFormat: number;
}

/** Runs a codec call; a CodecError becomes the CoapError it suggests (4.00, 4.06, 4.15). */
export function codecCall<T>(fn: () => T, fallbackCode = 0x80): T {
  try {
    return fn();
  } catch (e) {
    if (CodecError.isInstance(e))
      throw new CoapError(e.responseCode === 0x80 ? fallbackCode : e.responseCode, e.message);
    throw e;
  }
}

export class ContentNegotiation {
  constructor(
    private readonly codecs: NodeCodecRegistry,
    private readonly lookup: ResourceModelLookup,
    /** Format for objects, instances and multiple resources when no Accept is given. */
    private readonly defaultFormat: number,
    /** Format of composite bodies when no Accept is given. */
    private readonly defaultCompositeFormat: number,
  ) {}

  /** The format to answer in: Accept when given (4.06 if unsupported), else a default for the node. */
  responseFormat(accept: number | undefined, node: LwM2mNode): number {
    if (accept !== undefined) {
      if (!this.codecs.supports(accept)) throw CoapError.notAcceptable(`content format ${accept} is not supported`);
      return accept;
    }
    const single = node.kind === 'resource-instance' || (node.kind === 'resource' && !node.multiple);
    if (!single) return this.defaultFormat;
    const type = node.kind === 'resource-instance' ? node.value.type : node.type;
    return type === 'opaque' ? ContentFormat.OCTET_STREAM : ContentFormat.TEXT_PLAIN;
  }

  encode(node: LwM2mNode, path: LwM2mPath, accept: number | undefined): Encoded {
    const contentFormat = this.responseFormat(accept, node);
    // An encoder that cannot carry the node (e.g. text/plain for an instance) means 4.06.
    const payload = codecCall(() => this.codecs.encode(contentFormat, node, path), 0x86);
    return { payload, contentFormat };
  }

  decode(payload: Uint8Array, contentFormat: number | undefined, path: LwM2mPath): LwM2mNode {
    if (contentFormat === undefined) throw CoapError.badRequest('Content-Format is missing');
    if (!this.codecs.supports(contentFormat))
      throw CoapError.unsupportedContentFormat(`content format ${contentFormat} is not supported`);
    return codecCall(() => this.codecs.decode(contentFormat, payload, path, this.lookup));
  }

  compositeFormat(accept: number | undefined): number {
    const format = accept ?? this.defaultCompositeFormat;
    if (!this.codecs.compositeContentFormats().includes(format))
      throw CoapError.notAcceptable(`content format ${format} cannot carry composite bodies`);
    return format;
  }

  requireComposite(contentFormat: number | undefined): number {
    if (contentFormat === undefined) throw CoapError.badRequest('Content-Format is missing');
    if (!this.codecs.compositeContentFormats().includes(contentFormat))
      throw CoapError.unsupportedContentFormat(`content format ${contentFormat} cannot carry composite bodies`);
    return contentFormat;
  }

  decodePaths(payload: Uint8Array, contentFormat: number | undefined): LwM2mPath[] {
    const format = this.requireComposite(contentFormat);
    return codecCall(() => this.codecs.decodePaths(format, payload));
  }

  decodeComposite(payload: Uint8Array, contentFormat: number | undefined): Map<string, LwM2mNode> {
    const format = this.requireComposite(contentFormat);
    return codecCall(() => this.codecs.decodeComposite(format, payload, this.lookup));
  }

  encodeComposite(nodes: ReadonlyMap<string, LwM2mNode>, accept: number | undefined): Encoded {
    const contentFormat = this.compositeFormat(accept);
    return { payload: codecCall(() => this.codecs.encodeComposite(contentFormat, nodes), 0x86), contentFormat };
  }

  /**
   * Values with their times in one body (SenML JSON / CBOR); undefined when `contentFormat`
   * cannot carry timestamps.
   */
  encodeTimestamped(groups: readonly TimestampedNodes[], contentFormat: number): Encoded | undefined {
    if (!this.codecs.compositeContentFormats().includes(contentFormat)) return undefined;
    try {
      return { payload: this.codecs.encodeTimestamped(contentFormat, groups), contentFormat };
    } catch (e) {
      if (CodecError.isInstance(e)) return undefined;
      throw e;
    }
  }
}
