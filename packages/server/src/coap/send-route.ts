/**
 * Information Reporting "Send" (LwM2M 1.1+): `POST /dp` with a SenML JSON/CBOR (or LwM2M CBOR)
 * body from a registered client. Decoded into nodes and emitted as a `send` event.
 */
import type { Router } from '@lwm2m-ts/coap';
import { CoapCode, CodecError } from '@lwm2m-ts/codec';
import type { ModelRegistry } from '@lwm2m-ts/objects';
import { sameIdentity } from '../core/peer';
import { ResponseCode } from '../core/response-code';
import type { LwM2mServer } from '../server/lwm2m-server';
import { errorAnswer } from './coap-codes';
import { type ContentCodecs, modelLookupFor } from './content-codecs';

export interface SendRouteOptions {
  readonly codecs: ContentCodecs;
  readonly models?: ModelRegistry;
  /** Largest accepted Send payload (bytes). Default 64 KiB. */
  readonly maxPayloadBytes?: number;
}

export function addSendRoute(router: Router, server: LwM2mServer, options: SendRouteOptions): void {
  const maxPayload = options.maxPayloadBytes ?? 64 * 1024;
  router.post('/dp', async (request) => {
    const registration = await server.registrationOfPeer(request.peer);
    if (!registration || !sameIdentity(registration.peer.identity, request.peer.identity)) {
      return errorAnswer(ResponseCode.NOT_FOUND, 'Send from a client that is not registered');
    }
    if (request.payload.length > maxPayload) {
      return errorAnswer(ResponseCode.REQUEST_ENTITY_TOO_LARGE, `Send payload larger than ${maxPayload} bytes`);
    }
    const format = request.contentFormat;
    const composite = format !== undefined ? options.codecs.get(format)?.composite : undefined;
    if (!composite) {
      return errorAnswer(
        ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
        'Send takes SenML JSON (110), SenML CBOR (112) or LwM2M CBOR (11544)',
      );
    }
    let content: Map<string, import('@lwm2m-ts/objects').LwM2mNode>;
    try {
      content = composite.decodeNodes(request.payload, modelLookupFor(options.models, registration));
    } catch (error) {
      if (CodecError.isInstance(error) || error instanceof RangeError || error instanceof TypeError) {
        return errorAnswer(ResponseCode.BAD_REQUEST, `invalid Send payload: ${(error as Error).message}`);
      }
      throw error;
    }
    if (content.size === 0) return errorAnswer(ResponseCode.BAD_REQUEST, 'Send payload carries no value');
    await server.handleSend(registration, content);
    return { code: CoapCode.CHANGED };
  });
}
