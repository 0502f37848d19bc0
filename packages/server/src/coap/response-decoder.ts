/**
 * CoAP response -> typed LwM2M response. A success whose payload cannot be decoded becomes a
 * failure value (5.00 with a diagnostic naming the problem): the device answered, but not
 * with something usable.
 */
import type { CoapResponse } from '@lwm2m-ts/coap';
import { CodecError, ContentFormat, decodeUtf8, type Link, parseLinkFormat } from '@lwm2m-ts/codec';
import type { LwM2mNode, LwM2mPath, ResourceModelLookup } from '@lwm2m-ts/objects';
import { ResponseCode, responseCodeFromByte } from '../core/response-code';
import type { DiscoveredLink } from '../request/discovered-link';
import type { DownlinkRequest } from '../request/downlink-requests';
import {
  type AnyResponse,
  BootstrapDeleteResponse,
  BootstrapDiscoverResponse,
  BootstrapFinishResponse,
  BootstrapReadResponse,
  BootstrapWriteResponse,
  CancelObservationResponse,
  CreateResponse,
  DeleteResponse,
  DiscoverResponse,
  ExecuteResponse,
  ObserveCompositeResponse,
  ObserveResponse,
  ReadCompositeResponse,
  ReadResponse,
  WriteAttributesResponse,
  WriteCompositeResponse,
  WriteResponse,
} from '../request/downlink-responses';
import type { ContentCodecs } from './content-codecs';

export interface DecodeContext {
  readonly codecs: ContentCodecs;
  readonly lookup?: ResourceModelLookup;
  readonly rootSegments: readonly string[];
}

/** Decodes the content of a single-path answer (Read, Observe, notifications). */
export function decodeNode(
  payload: Uint8Array,
  contentFormat: number | undefined,
  path: LwM2mPath,
  ctx: DecodeContext,
): LwM2mNode {
  // No Content-Format: a plain-text single value (LwM2M 1.0 default for resources), else TLV.
  const format = contentFormat ?? (path.level === 'resource' ? ContentFormat.TEXT_PLAIN : ContentFormat.LWM2M_TLV);
  const codec = ctx.codecs.get(format);
  if (!codec) throw new CodecError(`unsupported content format ${format} in response`, { responseCode: 0x8f });
  return codec.decode(payload, path, ctx.lookup);
}

export function decodeComposite(
  payload: Uint8Array,
  contentFormat: number | undefined,
  paths: readonly LwM2mPath[] | undefined,
  ctx: DecodeContext,
): Map<string, LwM2mNode> {
  const format = contentFormat ?? ContentFormat.SENML_JSON;
  const composite = ctx.codecs.get(format)?.composite;
  if (!composite)
    throw new CodecError(`content format ${format} cannot carry composite content`, { responseCode: 0x8f });
  return composite.decodeNodes(payload, ctx.lookup, paths);
}

export function discoveredLinks(links: readonly Link[]): DiscoveredLink[] {
  return links.map((link) => {
    const attributes: Record<string, string | undefined> = {};
    for (const attribute of link.attributes) {
      attributes[attribute.name] = attribute.value === true ? undefined : attribute.value;
    }
    return { path: link.href, attributes };
  });
}

const diagnosticOf = (response: CoapResponse): string | undefined =>
  response.payload.length > 0 ? safeText(response.payload) : undefined;

function safeText(payload: Uint8Array): string {
  try {
    return decodeUtf8(payload);
  } catch {
    return `(${payload.length} bytes)`;
  }
}

/** Strips the client's root path from a Location-Path ("/lwm2m/3303/1" -> "/3303/1"). */
function locationOf(response: CoapResponse, root: readonly string[]): string | undefined {
  const location = response.locationPath;
  if (location.length === 0) return undefined;
  const rest = root.every((s, i) => location[i] === s) ? location.slice(root.length) : location;
  return `/${rest.join('/')}`;
}

export function decodeResponse(request: DownlinkRequest, response: CoapResponse, ctx: DecodeContext): AnyResponse {
  const code = responseCodeFromByte(response.code);
  const success = code.startsWith('2.');
  const diagnostic = success ? undefined : diagnosticOf(response);
  try {
    switch (request.kind) {
      case 'read':
        return success
          ? ReadResponse.success(decodeNode(response.payload, response.contentFormat, request.path, ctx))
          : ReadResponse.of(code, diagnostic);
      case 'bootstrap-read':
        return success
          ? BootstrapReadResponse.success(decodeNode(response.payload, response.contentFormat, request.path, ctx))
          : BootstrapReadResponse.of(code, diagnostic);
      case 'discover':
      case 'bootstrap-discover': {
        const cls = request.kind === 'discover' ? DiscoverResponse : BootstrapDiscoverResponse;
        if (!success) return new cls(code, diagnostic);
        return new cls(code, undefined, discoveredLinks(parseLinkFormat(decodeUtf8(response.payload))));
      }
      case 'read-composite':
        return success
          ? ReadCompositeResponse.success(decodeComposite(response.payload, response.contentFormat, request.paths, ctx))
          : ReadCompositeResponse.of(code, diagnostic);
      case 'create':
        return new CreateResponse(code, diagnostic, success ? locationOf(response, ctx.rootSegments) : undefined);
      default:
        return failureFor(request.kind, code, diagnostic);
    }
  } catch (error) {
    if (!CodecError.isInstance(error) && !(error instanceof RangeError) && !(error instanceof TypeError)) throw error;
    const message = `invalid ${request.kind} response payload from client: ${(error as Error).message}`;
    return failureFor(request.kind, ResponseCode.INTERNAL_SERVER_ERROR, message);
  }
}

/** A failure response of the class matching a request kind. */
export function failureFor(kind: DownlinkRequest['kind'], code: ResponseCode, diagnostic?: string): AnyResponse {
  switch (kind) {
    case 'read':
      return ReadResponse.of(code, diagnostic);
    case 'observe':
      return ObserveResponse.of(code, diagnostic);
    case 'observe-composite':
      return ObserveCompositeResponse.of(code, diagnostic);
    case 'bootstrap-read':
      return new BootstrapReadResponse(code, diagnostic);
    case 'discover':
      return new DiscoverResponse(code, diagnostic);
    case 'bootstrap-discover':
      return new BootstrapDiscoverResponse(code, diagnostic);
    case 'read-composite':
      return ReadCompositeResponse.of(code, diagnostic);
    case 'create':
      return CreateResponse.of(code, diagnostic);
    case 'write':
      return WriteResponse.of(code, diagnostic);
    case 'execute':
      return ExecuteResponse.of(code, diagnostic);
    case 'delete':
      return DeleteResponse.of(code, diagnostic);
    case 'write-attributes':
      return WriteAttributesResponse.of(code, diagnostic);
    case 'write-composite':
      return WriteCompositeResponse.of(code, diagnostic);
    case 'cancel-observation':
      return CancelObservationResponse.of(code, diagnostic);
    case 'bootstrap-delete':
      return BootstrapDeleteResponse.of(code, diagnostic);
    case 'bootstrap-write':
      return BootstrapWriteResponse.of(code, diagnostic);
    case 'bootstrap-finish':
      return BootstrapFinishResponse.of(code, diagnostic);
  }
}
