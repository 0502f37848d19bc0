/**
 * Per-endpoint credentials (PSK, RPK, X.509, OSCORE). Secrets (PSK keys, OSCORE master secrets)
 * are write-only: answers never carry them.
 */

import { createPublicKey } from 'node:crypto';
import type { EditableSecurityStore, OscoreSecurity, SecurityInfo } from '@lwm2m-ts/server';
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
    ...(body.rpk ? { rpk: { publicKey: rawPublicKey(body.rpk.publicKey) } } : {}),
    ...(body.x509 ? { x509: body.x509.subject ?? true } : {}),
    ...(oscore ? { oscore } : {}),
  };
}

/**
 * A raw public key as DER SubjectPublicKeyInfo (what DTLS peers present): given as PEM, as hex of
 * the DER SPKI, or as hex of an uncompressed P-256 point (04 || x || y).
 */
export function rawPublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) return spki(createPublicKey(trimmed));
    const bytes = fromHex(trimmed, 'rpk.publicKey');
    if (bytes.length === 65 && bytes[0] === 4) {
      const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
      const jwk = { kty: 'EC', crv: 'P-256', x: b64(bytes.subarray(1, 33)), y: b64(bytes.subarray(33)) };
      return spki(createPublicKey({ key: jwk, format: 'jwk' }));
    }
    return spki(createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' }));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw HttpError.badRequest('rpk.publicKey must be a public key: PEM, hex DER SubjectPublicKeyInfo or hex 04||x||y');
  }
}

const spki = (key: ReturnType<typeof createPublicKey>) => new Uint8Array(key.export({ type: 'spki', format: 'der' }));

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
  addCredentialRoutes(app, '/api/security/clients', ctx.security, 'security');
  if (ctx.bootstrapSecurity) addCredentialRoutes(app, '/api/security/bootstrap', ctx.bootstrapSecurity, 'bootstrap');
}

/**
 * The same four routes for the LwM2M server's credentials (`/api/security/clients`) and the
 * bootstrap server's (`/api/security/bootstrap`).
 */
function addCredentialRoutes(
  app: FastifyInstance,
  base: string,
  store: EditableSecurityStore,
  kind: 'security' | 'bootstrap',
): void {
  const whose = kind === 'bootstrap' ? ' (bootstrap server)' : '';
  app.get(
    base,
    {
      schema: {
        tags: ['security'],
        summary: `Credentials of every endpoint${whose} (secrets left out)`,
        response: { 200: { type: 'array', items: securitySchema }, 401: errorBodySchema },
      },
    },
    async () => (await store.list()).sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1)).map(securityToJson),
  );

  app.get(
    `${base}/:endpoint`,
    {
      schema: {
        tags: ['security'],
        summary: `One endpoint's credentials${whose} (secrets left out)`,
        params,
        response: { 200: securitySchema, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request) => {
      const { endpoint } = request.params as { endpoint: string };
      const info = await store.getByEndpoint(endpoint);
      if (!info) throw HttpError.notFound(`no security info for "${endpoint}"`);
      return securityToJson(info);
    },
  );

  app.put(
    `${base}/:endpoint`,
    {
      schema: {
        tags: ['security'],
        summary: `Add or replace credentials${whose}`,
        description:
          (kind === 'bootstrap'
            ? 'With credentials, a client may bootstrap as this endpoint only over DTLS proving them. '
            : 'With credentials, a client may register as this endpoint only over a secured transport proving them. ') +
          '`{"psk":{"identity":"dev1","key":"<hex>"}}`, `{"rpk":{"publicKey":"<PEM, or hex DER SPKI>"}}`, `{"x509":{}}` (CN = endpoint) or `{"x509":{"subject":"CN=..."}}`, ' +
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
              properties: { publicKey: { type: 'string', minLength: 2, maxLength: 8192 } },
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
      const { previous } = await store.put(info);
      reply.code(previous ? 200 : 201);
      return securityToJson(info);
    },
  );

  app.delete(
    `${base}/:endpoint`,
    {
      schema: {
        tags: ['security'],
        summary: `Remove credentials${whose}`,
        params,
        response: { 204: { type: 'null' }, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { endpoint } = request.params as { endpoint: string };
      if (!(await store.remove(endpoint))) throw HttpError.notFound(`no security info for "${endpoint}"`);
      return reply.code(204).send();
    },
  );
}
