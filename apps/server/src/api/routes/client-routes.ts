/** Registered clients: list (paged, searchable), one, force de-register, observations, message log, queue. */

import type { QueuedRequest } from '@lwm2m-ts/server';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/app-context';
import { errorBodySchema, HttpError } from '../api-errors';
import { registrationJsonSchema, registrationToJson } from '../registration-json';
import { endpointParam } from '../schemas';
import { registrationOf } from './operation-routes';

const endpointParams = {
  type: 'object',
  properties: { endpoint: endpointParam },
  required: ['endpoint'],
} as const;
const notFound = { 404: errorBodySchema, 401: errorBodySchema };

function queuedToJson(q: QueuedRequest) {
  const request = q.request as {
    kind: string;
    path?: { toString(): string };
    paths?: readonly { toString(): string }[];
  };
  return {
    id: q.id,
    endpoint: q.endpoint,
    kind: request.kind,
    path: request.path !== undefined ? String(request.path) : (request.paths ?? []).map(String).join(','),
    enqueuedAt: new Date(q.enqueuedAt).toISOString(),
    expiresAt: new Date(q.expiresAt).toISOString(),
  };
}

export function addClientRoutes(app: FastifyInstance, ctx: AppContext): void {
  const toJson = (r: Parameters<typeof registrationToJson>[0]) =>
    registrationToJson(r, ctx.servers.isSleeping(r), ctx.servers.schemeOf(r));

  app.get(
    '/api/clients',
    {
      schema: {
        tags: ['clients'],
        summary: 'List registered clients',
        description: 'Sorted by endpoint name; `search` keeps endpoints containing it (case-insensitive).',
        querystring: {
          type: 'object',
          properties: {
            search: { type: 'string', maxLength: 255 },
            offset: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              offset: { type: 'integer' },
              limit: { type: 'integer' },
              items: { type: 'array', items: registrationJsonSchema },
            },
          },
          401: errorBodySchema,
        },
      },
    },
    async (request) => {
      const { search, offset = 0, limit = 100 } = request.query as { search?: string; offset?: number; limit?: number };
      const needle = search?.toLowerCase();
      const all = (await ctx.servers.listRegistrations())
        .filter((r) => !needle || r.endpoint.toLowerCase().includes(needle))
        .sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0));
      return { total: all.length, offset, limit, items: all.slice(offset, offset + limit).map(toJson) };
    },
  );

  app.get(
    '/api/clients/:endpoint',
    {
      schema: {
        tags: ['clients'],
        summary: 'One registration',
        params: endpointParams,
        response: { 200: registrationJsonSchema, ...notFound },
      },
    },
    async (request) => toJson(await registrationOf(ctx, (request.params as { endpoint: string }).endpoint)),
  );

  app.delete(
    '/api/clients/:endpoint',
    {
      schema: {
        tags: ['clients'],
        summary: 'Force de-registration',
        description: 'Removes the registration as if the client had de-registered (its observations end).',
        params: endpointParams,
        response: { 204: { type: 'null' }, ...notFound },
      },
    },
    async (request, reply) => {
      const registration = await registrationOf(ctx, (request.params as { endpoint: string }).endpoint);
      if (!(await ctx.servers.forceDeregister(registration))) {
        throw HttpError.notFound(`"${registration.endpoint}" is not registered any more`);
      }
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/clients/:endpoint/observations',
    {
      schema: {
        tags: ['clients'],
        summary: "A client's active observations",
        params: endpointParams,
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                kind: { type: 'string' },
                paths: { type: 'array', items: { type: 'string' } },
                createdAt: { type: 'string' },
              },
            },
          },
          ...notFound,
        },
      },
    },
    async (request) => {
      const registration = await registrationOf(ctx, (request.params as { endpoint: string }).endpoint);
      const list = await ctx.servers.listObservations(registration);
      return list.map((o) => ({
        id: o.id,
        kind: o.kind,
        paths: o.paths,
        createdAt: new Date(o.createdAt).toISOString(),
      }));
    },
  );

  app.delete(
    '/api/clients/:endpoint/observations/:id',
    {
      schema: {
        tags: ['clients'],
        summary: 'Cancel one observation (single or composite)',
        params: {
          type: 'object',
          properties: { endpoint: endpointParam, id: { type: 'string', minLength: 1 } },
          required: ['endpoint', 'id'],
        },
        querystring: {
          type: 'object',
          properties: { active: { type: 'boolean', default: true } },
          additionalProperties: false,
        },
        response: { 204: { type: 'null' }, ...notFound },
      },
    },
    async (request, reply) => {
      const { endpoint, id } = request.params as { endpoint: string; id: string };
      const registration = await registrationOf(ctx, endpoint);
      const info = await ctx.servers.getObservation(id);
      if (!info || info.registrationId !== registration.id)
        throw HttpError.notFound(`no observation ${id} on "${endpoint}"`);
      await ctx.servers.cancelObservation(
        id,
        (request.query as { active?: boolean }).active === false ? 'passive' : 'active',
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/clients/:endpoint/log',
    {
      schema: {
        tags: ['clients'],
        summary: "A client's recent CoAP messages (newest last)",
        params: endpointParams,
        response: {
          200: { type: 'array', items: { type: 'object', additionalProperties: true } },
          401: errorBodySchema,
        },
      },
    },
    async (request) => ctx.messageLog.list((request.params as { endpoint: string }).endpoint),
  );

  const queuedSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      endpoint: { type: 'string' },
      kind: { type: 'string' },
      path: { type: 'string' },
      enqueuedAt: { type: 'string' },
      expiresAt: { type: 'string' },
    },
  };
  app.get(
    '/api/clients/:endpoint/queue',
    {
      schema: {
        tags: ['queue'],
        summary: 'Requests queued for a sleeping client',
        params: endpointParams,
        response: { 200: { type: 'array', items: queuedSchema }, 401: errorBodySchema },
      },
    },
    async (request) =>
      (await ctx.servers.queueList((request.params as { endpoint: string }).endpoint)).map(queuedToJson),
  );

  app.delete(
    '/api/clients/:endpoint/queue/:id',
    {
      schema: {
        tags: ['queue'],
        summary: 'Cancel a queued request',
        params: {
          type: 'object',
          properties: { endpoint: endpointParam, id: { type: 'string', minLength: 1 } },
          required: ['endpoint', 'id'],
        },
        response: { 204: { type: 'null' }, ...notFound },
      },
    },
    async (request, reply) => {
      const { endpoint, id } = request.params as { endpoint: string; id: string };
      const queued = (await ctx.servers.queueList(endpoint)).find((q) => q.id === id);
      if (!queued || !(await ctx.servers.queueCancel(id)))
        throw HttpError.notFound(`no queued request ${id} for "${endpoint}"`);
      return reply.code(204).send();
    },
  );
}
