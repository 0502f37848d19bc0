/**
 * Bootstrap configurations per endpoint: what the bootstrap server writes (Security, Server,
 * ACL, OSCORE instances). Byte fields travel as hex; secrets are write-only.
 */

import { type BootstrapConfig, validateBootstrapConfig } from '@lwm2m-ts/server';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/app-context';
import { errorBodySchema, HttpError } from '../api-errors';
import { fromHex, toHex } from '../hex';
import { endpointParam } from '../schemas';

const BYTE_FIELDS = new Set([
  'publicKeyOrIdentity',
  'serverPublicKey',
  'secretKey',
  'masterSecret',
  'senderId',
  'recipientId',
  'masterSalt',
  'idContext',
]);
const SECRET_FIELDS = new Set(['secretKey', 'masterSecret']);

/** Recursively maps the byte fields of a config (hex <-> bytes). */
function mapBytes(value: unknown, convert: (key: string, v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapBytes(v, convert));
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const mapped = BYTE_FIELDS.has(key) ? convert(key, v) : mapBytes(v, convert);
    if (mapped !== undefined) out[key] = mapped;
  }
  return out;
}

export function bootstrapConfigToJson(config: BootstrapConfig): unknown {
  return mapBytes(config, (key, v) => (SECRET_FIELDS.has(key) ? undefined : v instanceof Uint8Array ? toHex(v) : v));
}

export function bootstrapConfigFromJson(json: unknown): BootstrapConfig {
  return mapBytes(json, (key, v) => {
    if (typeof v !== 'string') throw HttpError.badRequest(`${key} must be a hex string`);
    return fromHex(v, key);
  }) as BootstrapConfig;
}

const params = { type: 'object', properties: { endpoint: endpointParam }, required: ['endpoint'] } as const;
const instances = { type: 'object', patternProperties: { '^\\d+$': { type: 'object' } }, additionalProperties: false };
const configSchema = {
  type: 'object',
  description:
    'BootstrapConfig of @lwm2m-ts/server: toDelete, security{id:{uri,bootstrapServer,securityMode,publicKeyOrIdentity?,secretKey?,shortServerId?...}}, ' +
    'servers{id:{shortServerId,lifetime,binding,notificationStoring,...}}, acls, oscore, contentFormat, discoverFirst, readBeforeFinish. Bytes as hex.',
  properties: {
    toDelete: { type: 'array', items: { type: 'string' } },
    security: instances,
    servers: instances,
    acls: instances,
    oscore: instances,
    contentFormat: { type: 'integer' },
    discoverFirst: { type: 'boolean' },
    readBeforeFinish: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
} as const;
const configOut = { type: 'object', additionalProperties: true } as const;

export function addBootstrapRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/bootstrap',
    {
      schema: {
        tags: ['bootstrap'],
        summary: 'Bootstrap configurations (secrets left out)',
        response: {
          200: {
            type: 'array',
            items: { type: 'object', properties: { endpoint: { type: 'string' }, config: configOut } },
          },
          401: errorBodySchema,
        },
      },
    },
    async () =>
      (await ctx.bootstrapConfigs.list())
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([endpoint, config]) => ({ endpoint, config: bootstrapConfigToJson(config) })),
  );

  app.get(
    '/api/bootstrap/:endpoint',
    {
      schema: {
        tags: ['bootstrap'],
        summary: "One endpoint's bootstrap configuration",
        params,
        response: { 200: configOut, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request) => {
      const { endpoint } = request.params as { endpoint: string };
      const config = await ctx.bootstrapConfigs.get(endpoint);
      if (!config) throw HttpError.notFound(`no bootstrap configuration for "${endpoint}"`);
      return bootstrapConfigToJson(config);
    },
  );

  app.put(
    '/api/bootstrap/:endpoint',
    {
      schema: {
        tags: ['bootstrap'],
        summary: 'Add or replace a bootstrap configuration',
        params,
        body: configSchema,
        response: { 200: configOut, 201: configOut, 400: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { endpoint } = request.params as { endpoint: string };
      const config = bootstrapConfigFromJson(request.body);
      validateBootstrapConfig(config);
      const existed = (await ctx.bootstrapConfigs.get(endpoint)) !== undefined;
      await ctx.bootstrapConfigs.put(endpoint, config);
      reply.code(existed ? 200 : 201);
      return bootstrapConfigToJson(config);
    },
  );

  app.delete(
    '/api/bootstrap/:endpoint',
    {
      schema: {
        tags: ['bootstrap'],
        summary: 'Remove a bootstrap configuration',
        params,
        response: { 204: { type: 'null' }, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { endpoint } = request.params as { endpoint: string };
      if (!(await ctx.bootstrapConfigs.remove(endpoint)))
        throw HttpError.notFound(`no bootstrap configuration for "${endpoint}"`);
      return reply.code(204).send();
    },
  );
}
