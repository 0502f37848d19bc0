/**
 * The registration interface on CoAP: `POST /rd` (Register), `POST /rd/{id}` (Update),
 * `DELETE /rd/{id}` (De-register). Bad input gets 4.00 / 4.13 / 4.15 with a diagnostic payload.
 */
import type { CoapRequest, CoapResponseInit, Router } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { ResponseCode } from '../core/response-code';
import {
  DEFAULT_REGISTRATION_LIMITS,
  parseRegisterRequest,
  parseUpdateRequest,
  type RegistrationLimits,
} from '../registration/registration-requests';
import type { RegistrationService } from '../registration/registration-service';
import { errorAnswer, utf8OrUndefined } from './coap-codes';

export interface RegistrationRouteOptions {
  readonly limits?: RegistrationLimits;
  /** Largest accepted registration payload (bytes, after block-wise reassembly). Default 16 KiB. */
  readonly maxPayloadBytes?: number;
}

export function addRegistrationRoutes(
  router: Router,
  registrations: RegistrationService,
  options: RegistrationRouteOptions = {},
): void {
  const limits = options.limits ?? DEFAULT_REGISTRATION_LIMITS;
  const maxPayload = options.maxPayloadBytes ?? 16 * 1024;

  const linksOf = (request: CoapRequest): string | CoapResponseInit => {
    if (request.payload.length > maxPayload) {
      return errorAnswer(ResponseCode.REQUEST_ENTITY_TOO_LARGE, `registration payload larger than ${maxPayload} bytes`);
    }
    if (request.contentFormat !== undefined && request.contentFormat !== ContentFormat.LINK_FORMAT) {
      return errorAnswer(
        ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
        'registration payload must be application/link-format (40)',
      );
    }
    const text = utf8OrUndefined(request.payload);
    return text ?? errorAnswer(ResponseCode.BAD_REQUEST, 'registration payload is not valid UTF-8');
  };

  router.post('/rd', async (request) => {
    const links = linksOf(request);
    if (typeof links !== 'string') return links;
    const parsed = parseRegisterRequest(request.query, links, limits);
    if (!parsed.ok) return errorAnswer(parsed.code, parsed.diagnostic);
    const result = await registrations.register(parsed.value, request.peer);
    if (!result.registration) return errorAnswer(result.code, result.diagnostic);
    return { code: CoapCode.CREATED, locationPath: ['rd', result.registration.id] };
  });

  router.post('/rd/:id', async (request) => {
    const links = request.payload.length > 0 ? linksOf(request) : undefined;
    if (links !== undefined && typeof links !== 'string') return links;
    const parsed = parseUpdateRequest(request.params.id ?? '', request.query, links, limits);
    if (!parsed.ok) return errorAnswer(parsed.code, parsed.diagnostic);
    const result = await registrations.update(parsed.value, request.peer);
    if (!result.registration) return errorAnswer(result.code, result.diagnostic);
    return { code: CoapCode.CHANGED };
  });

  router.delete('/rd/:id', async (request) => {
    const result = await registrations.deregister(request.params.id ?? '', request.peer);
    if (!result.registration) return errorAnswer(result.code, result.diagnostic);
    return { code: CoapCode.DELETED };
  });
}
