/**
 * Per-endpoint credentials (PSK, RPK, X.509, OSCORE). Secrets (PSK keys, OSCORE master secrets)
 * are write-only: answers never carry them.
 */

import type { OscoreSecurity, SecurityInfo } from '@lwm2m-ts/server';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/app-context';
import { errorBodySchema, HttpError } from '../api-errors';
import { fromHex, hexSchema, toHex } from '../hex';
import { endpointParam } from '../schemas';

export function securityToJson(info: SecurityInfo) {
  return {
    endpoint: info.endpoint,
    ...(info.psk ? { psk: { identity: info.psk.identity } } : {}),
    ...(info.rpk ? { rpk: { publicKey: toHex(info.rpk.publicKey) } } : {}),
    ...(info.x509 !== undefined
      ? { x509: info.x509 === true ? { commonNameIsEndpoint: true } : { subject: info.x509 } }
      : {}),
    ...(info.oscore
      ? { oscore: { recipientId: toHex(info.oscore.recipientId), senderId: toHex(info.oscore.senderId) } }
      : {}),
  };
}

interface SecurityBody {
  psk?: { identity: string; key: string };
  rpk?: { publicKey: string };
  x509?: { subject?: string };
  oscore?: { recipientId: string; senderId: string; masterSecret: string; masterSalt?: string; idContext?: string };
}

function securityFromJson(endpoint: string, body: SecurityBody): SecurityInfo {
  const kinds = (['psk', 'rpk', 'x509', 'oscore'] as const).filter((k) => body[k] !== undefined);
  if (kinds.length === 0) throw HttpError.badRequest('give one of psk, rpk, x509 or oscore');
  let oscore: OscoreSecurity | undefined;
  if (body.oscore) {
    const o = body.oscore;
    oscore = {
      recipientId: fromHex(o.recipientId, 'oscore.recipientId'),
      senderId: fromHex(o.senderId, 'oscore.senderId'),
      masterSecret: fromHex(o.masterSecret, 'oscore.masterSecret'),
      ...(o.masterSalt !== undefined ? { masterSalt: fromHex(o.masterSalt, 'oscore.masterSalt') } : {}),
      ...(o.idContext !== undefined ? { idContext: fromHex(o.idContext, 'oscore.idContext') } : {}),
    };
  }
  return {
    endpoint,
    ...(body.psk ? { psk: { identity: body.psk.identity, key: fromHex(body.psk.key, 'psk.key') } } : {}),
    ...(body.rpk ? { rpk: { publicKey: fromHex(body.rpk.publicKey, 'rpk.publicKey') } } : {}),
    ...(body.x509 ? { x509: body.x509.subject ?? true } : {}),
    ...(oscore ? { oscore } : {}),
  };
}

const securitySchema = {
  type: 'object',
  properties: {
    endpoint: { type: 'string' },
    psk: { type: 'object', properties: { identity: { type: 'string' } } },
    rpk: { type: 'object', properties: { publicKey: { type: 'string' } } },
    x509: { type: 'object', properties: { subject: { type: 'string' }, commonNameIsEndpoint: { type: 'boolean' } } },
    oscore: { type: 'object', properties: { recipientId: { type: 'string' }, senderId: { type: 'string' } } },
  },
} as const;
const params = { type: 'object', properties: { endpoint: endpointParam }, required: ['endpoint'] } as const;

export function addSecurityRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/security/clients',
    {
      schema: {
        tags: ['security'],
        summary: 'Credentials of every endpoint (secrets left out)',
        response: { 200: { type: 'array', items: securitySchema }, 401: errorBodySchema },
      },
    },
    async () => (await ctx.security.list()).sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1)).map(securityToJson),
  );

  app.get(
    '/api/security/clients/:endpoint',
    {
      schema: {
        tags: ['security'],
        summary: "One endpoint's credentials (secrets left out)",
        params,
        response: { 200: securitySchema, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request) => {
      const { endpoint } = request.params as { endpoint: string };
      const info = await ctx.security.getByEndpoint(endpoint);
      if (!info) throw HttpError.notFound(`no security info for "${endpoint}"`);
      return securityToJson(info);
    },
  );

  app.put(
    '/api/security/clients/:endpoint',
    {
      schema: {
        tags: ['security'],
        summary: 'Add or replace credentials',
        description:
          'With credentials, a client may register as this endpoint only over a secured transport proving them. ' +
          '`{"psk":{"identity":"dev1","key":"<hex>"}}`, `{"rpk":{"publicKey":"<hex>"}}`, `{"x509":{}}` (CN = endpoint) or `{"x509":{"subject":"CN=..."}}`, ' +
          '`{"oscore":{"recipientId","senderId","masterSecret","masterSalt"?,"idContext"?}}` (hex).',
        params,
        body: {
          type: 'object',
          properties: {
            psk: {
              type: 'object',
              properties: {
                identity: { type: 'string', minLength: 1, maxLength: 128 },
                key: { ...hexSchema, minLength: 2 },
              },
              required: ['identity', 'key'],
              additionalProperties: false,
            },
            rpk: {
              type: 'object',
              properties: { publicKey: { ...hexSchema, minLength: 2 } },
              required: ['publicKey'],
              additionalProperties: false,
            },
            x509: {
              type: 'object',
              properties: { subject: { type: 'string', minLength: 1 } },
              additionalProperties: false,
            },
            oscore: {
              type: 'object',
              properties: {
                recipientId: hexSchema,
                senderId: hexSchema,
                masterSecret: { ...hexSchema, minLength: 2 },
                masterSalt: hexSchema,
                idContext: hexSchema,
              },
              required: ['recipientId', 'senderId', 'masterSecret'],
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
        response: {
          200: securitySchema,
          201: securitySchema,
          400: errorBodySchema,
          409: errorBodySchema,
          401: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const { endpoint } = request.params as { endpoint: string };
      const info = securityFromJson(endpoint, request.body as SecurityBody);
      const { previous } = await ctx.security.put(info);
      reply.code(previous ? 200 : 201);
      return securityToJson(info);
    },
  );

  app.delete(
    '/api/security/clients/:endpoint',
    {
      schema: {
        tags: ['security'],
        summary: 'Remove credentials',
        params,
        response: { 204: { type: 'null' }, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { endpoint } = request.params as { endpoint: string };
      if (!(await ctx.security.remove(endpoint))) throw HttpError.notFound(`no security info for "${endpoint}"`);
      return reply.code(204).send();
    },
  );
}
