/**
 * LwM2M downlink request -> CoAP request (method, Uri-Path under the client's root path,
 * Uri-Query, Content-Format/Accept, payload), per the LwM2M Transport binding tables.
 */
import { ContentFormat } from '@lwm2m-ts/codec';
import { LwM2mObject, type LwM2mPath, type NodeCodec, type ResourceModelLookup } from '@lwm2m-ts/objects';
import type { DownlinkRequest } from '../request/downlink-requests';
import { encodeAttributes, encodeExecuteArguments, InvalidRequestError } from '../request/request-builders';
import type { ContentCodecs } from './content-codecs';

export interface CoapRequestSpec {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'FETCH' | 'IPATCH';
  readonly path: readonly string[];
  readonly query?: readonly string[];
  readonly payload?: Uint8Array;
  readonly contentFormat?: number;
  readonly accept?: number;
  /** GET/FETCH with Observe=0. */
  readonly observe?: boolean;
}

export interface EncodeContext {
  /** Uri-Path segments of the client's root path ([] for "/", ["lwm2m"] for "/lwm2m"). */
  readonly rootSegments: readonly string[];
  readonly codecs: ContentCodecs;
  /** Format used when the request names none. */
  readonly defaultFormat: (composite: boolean) => number;
  readonly lookup?: ResourceModelLookup;
}

const segments = (root: readonly string[], path: LwM2mPath): string[] => [...root, ...path.ids.map(String)];

function codecFor(codecs: ContentCodecs, format: number, composite: boolean): NodeCodec {
  const codec = codecs.get(format);
  if (!codec) throw new InvalidRequestError(`no codec for content format ${format}`);
  if (composite && !codec.composite) throw new InvalidRequestError(`${codec.name} cannot carry composite requests`);
  return codec;
}

const accept = (format: number | undefined) => (format !== undefined ? { accept: format } : {});

export function encodeRequest(request: DownlinkRequest, ctx: EncodeContext): CoapRequestSpec {
  const root = ctx.rootSegments;
  switch (request.kind) {
    case 'read':
    case 'bootstrap-read':
      return { method: 'GET', path: segments(root, request.path), ...accept(request.format) };
    case 'observe':
      return { method: 'GET', path: segments(root, request.path), observe: true, ...accept(request.format) };
    case 'discover':
      return {
        method: 'GET',
        path: segments(root, request.path),
        accept: ContentFormat.LINK_FORMAT,
        ...(request.depth !== undefined ? { query: [`depth=${request.depth}`] } : {}),
      };
    case 'bootstrap-discover':
      return {
        method: 'GET',
        path: request.path ? segments(root, request.path) : [...root],
        accept: ContentFormat.LINK_FORMAT,
      };
    case 'write':
    case 'bootstrap-write': {
      const format = request.format ?? ctx.defaultFormat(false);
      const payload = codecFor(ctx.codecs, format, false).encode(request.node, request.path);
      const method = request.kind === 'write' && request.mode === 'update' ? 'POST' : 'PUT';
      return { method, path: segments(root, request.path), contentFormat: format, payload };
    }
    case 'write-attributes':
      return { method: 'PUT', path: segments(root, request.path), query: encodeAttributes(request.attributes) };
    case 'execute': {
      const args = request.arguments?.length ? encodeExecuteArguments(request.arguments) : undefined;
      return {
        method: 'POST',
        path: segments(root, request.path),
        ...(args !== undefined
          ? { payload: new TextEncoder().encode(args), contentFormat: ContentFormat.TEXT_PLAIN }
          : {}),
      };
    }
    case 'create': {
      const format = request.format ?? ctx.defaultFormat(false);
      const codec = codecFor(ctx.codecs, format, false);
      const objectId = request.path.objectId!;
      let payload: Uint8Array;
      if (request.clientChoosesId) {
        const [instance] = request.instances;
        if (!instance || request.instances.length !== 1)
          throw new InvalidRequestError('create without id takes one instance');
        if (format !== ContentFormat.LWM2M_TLV) {
          throw new InvalidRequestError(
            'create without an instance id is only encodable in TLV; give the instance an id',
          );
        }
        // TLV: the resources alone, no Object Instance wrapper, so the client picks the id.
        payload = codec.encode(instance, request.path.child(instance.id));
      } else {
        payload = codec.encode(LwM2mObject.of(objectId, request.instances), request.path);
      }
      return { method: 'POST', path: segments(root, request.path), contentFormat: format, payload };
    }
    case 'delete':
      return { method: 'DELETE', path: segments(root, request.path) };
    case 'bootstrap-delete':
      return { method: 'DELETE', path: request.path ? segments(root, request.path) : [...root] };
    case 'read-composite':
    case 'observe-composite': {
      const requestFormat = request.requestFormat ?? ctx.defaultFormat(true);
      const payload = codecFor(ctx.codecs, requestFormat, true).composite!.encodePaths(request.paths);
      return {
        method: 'FETCH',
        path: [...root],
        contentFormat: requestFormat,
        payload,
        accept: request.responseFormat ?? requestFormat,
        ...(request.kind === 'observe-composite' ? { observe: true } : {}),
      };
    }
    case 'write-composite': {
      const format = request.format ?? ctx.defaultFormat(true);
      const payload = codecFor(ctx.codecs, format, true).composite!.encodeNodes(request.nodes);
      return { method: 'IPATCH', path: [...root], contentFormat: format, payload };
    }
    case 'bootstrap-finish':
      return { method: 'POST', path: ['bs'] };
    case 'cancel-observation':
      throw new InvalidRequestError('cancel-observation is sent on the observation exchange, not encoded alone');
  }
}
