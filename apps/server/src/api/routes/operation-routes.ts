/**
 * Device management on one client, Leshan style: GET reads, PUT writes, POST executes (resource)
 * or creates (object), DELETE deletes; `/discover`, `/attributes` and `/observe` suffixes.
 */

import type { LwM2mPath } from '@lwm2m-ts/objects';
import { ATTRIBUTE_NAMES, type NotificationAttributes, type Registration } from '@lwm2m-ts/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AppContext, resourceModelsOf } from '../../app/app-context';
import { deviceFailure, HttpError } from '../api-errors';
import { contentFormatOf, type FormatName } from '../content-formats';
import { parseExecuteArgumentsText } from '../execute-arguments';
import { nodeFromJson, nodeFromText, nodeToJson } from '../node-json';
import { formatQuery, nodeJsonSchema, okBody, operationErrors, timeoutQuery } from '../schemas';
import { addPathRoute } from './path-routes';

interface OpQuery {
  format?: FormatName;
  timeout?: number;
}

export function requestOptions(query: OpQuery) {
  const format = contentFormatOf(query.format);
  return {
    ...(format !== undefined ? { format } : {}),
    ...(query.timeout !== undefined ? { timeoutMs: Math.round(query.timeout * 1000) } : {}),
  };
}

export async function registrationOf(ctx: AppContext, endpoint: string): Promise<Registration> {
  const registration = await ctx.servers.getRegistration(endpoint);
  if (!registration)
    throw new HttpError(404, { error: 'unknown-client', message: `no client registered as "${endpoint}"` });
  return registration;
}

/** The node a PUT/POST body describes (JSON node, or a text/plain value for one resource). */
export function bodyNode(ctx: AppContext, registration: Registration, request: FastifyRequest, path: LwM2mPath) {
  const modelOf = resourceModelsOf(ctx.models, registration);
  const body = request.body;
  if (typeof body === 'string') return nodeFromText(body, path, modelOf);
  if (body === undefined || body === null)
    throw HttpError.badRequest('a body is required (a JSON node or a text value)');
  return nodeFromJson(body, path, modelOf);
}

const opQuery = {
  type: 'object',
  properties: { format: formatQuery, timeout: timeoutQuery },
  additionalProperties: false,
} as const;
const timeoutOnly = { type: 'object', properties: { timeout: timeoutQuery }, additionalProperties: false } as const;
const contentResponse = {
  200: {
    type: 'object',
    properties: { ...okBody.properties, content: nodeJsonSchema },
  },
  ...operationErrors,
};
const okResponse = { 200: okBody, ...operationErrors };

export function addOperationRoutes(app: FastifyInstance, ctx: AppContext): void {
  addPathRoute(app, {
    method: 'GET',
    depths: [1, 2, 3, 4],
    summary: 'Read',
    description: 'Reads an object, instance, resource or resource instance from the device.',
    querystring: opQuery,
    response: contentResponse,
    handler: async (request, _reply, { endpoint, path }) => {
      const response = await ctx.servers.read(endpoint, path, requestOptions(request.query as OpQuery));
      if (!response.isSuccess() || !response.content) throw deviceFailure(response, `Read ${path}`);
      return { endpoint, path: String(path), code: response.code, content: nodeToJson(response.content) };
    },
  });

  addPathRoute(app, {
    method: 'PUT',
    depths: [2, 3, 4],
    summary: 'Write',
    description:
      'Writes a JSON node (types may be left out: they come from the object model) or, for one resource, a text/plain value. ' +
      '`replace=false` makes a partial update (instances and multiple resources).',
    querystring: {
      type: 'object',
      properties: { format: formatQuery, timeout: timeoutQuery, replace: { type: 'boolean', default: true } },
      additionalProperties: false,
    },
    body: { anyOf: [nodeJsonSchema, { type: 'string' }] },
    consumes: ['application/json', 'text/plain'],
    response: okResponse,
    handler: async (request, _reply, { endpoint, path }) => {
      const registration = await registrationOf(ctx, endpoint);
      const node = bodyNode(ctx, registration, request, path);
      const query = request.query as OpQuery & { replace?: boolean };
      const mode = query.replace === false ? 'update' : 'replace';
      const response = await ctx.servers.write(endpoint, path, node, { ...requestOptions(query), mode });
      if (!response.isSuccess()) throw deviceFailure(response, `Write ${path}`);
      return { endpoint, path: String(path), code: response.code };
    },
  });

  addPathRoute(app, {
    method: 'POST',
    depths: [3],
    summary: 'Execute',
    description: "Executes a resource. The body (text/plain) holds the arguments: `0='on',1`.",
    querystring: timeoutOnly,
    body: { type: 'string', maxLength: 4096 },
    consumes: ['text/plain'],
    response: okResponse,
    handler: async (request, _reply, { endpoint, path }) => {
      const args = parseExecuteArgumentsText(typeof request.body === 'string' ? request.body : '');
      const response = await ctx.servers.execute(endpoint, path, {
        ...requestOptions(request.query as OpQuery),
        ...(args.length > 0 ? { arguments: args } : {}),
      });
      if (!response.isSuccess()) throw deviceFailure(response, `Execute ${path}`);
      return { endpoint, path: String(path), code: response.code };
    },
  });

  addPathRoute(app, {
    method: 'POST',
    depths: [1],
    summary: 'Create',
    description: 'Creates an object instance: `{ "id"?: n, "resources": [...] }`; without an id the device chooses it.',
    querystring: opQuery,
    body: {
      type: 'object',
      properties: { id: { type: 'integer', minimum: 0, maximum: 65534 }, resources: { type: 'array' } },
      required: ['resources'],
    },
    response: {
      201: { type: 'object', properties: { ...okBody.properties, location: { type: 'string' } } },
      ...operationErrors,
    },
    handler: async (request, reply, { endpoint, path }) => {
      const registration = await registrationOf(ctx, endpoint);
      const body = request.body as { id?: number; resources: unknown[] };
      const clientChoosesId = body.id === undefined;
      const instance = nodeFromJson(
        { ...body, kind: 'object-instance', id: body.id ?? 0 },
        path.child(body.id ?? 0),
        resourceModelsOf(ctx.models, registration),
      );
      if (instance.kind !== 'object-instance') throw HttpError.badRequest('create needs an object instance');
      const response = await ctx.servers.create(endpoint, path, instance, {
        ...requestOptions(request.query as OpQuery),
        clientChoosesId,
      });
      if (!response.isSuccess()) throw deviceFailure(response, `Create on ${path}`);
      const location = response.location ?? (clientChoosesId ? undefined : `${path}/${body.id}`);
      reply.code(201);
      return { endpoint, path: String(path), code: response.code, ...(location ? { location } : {}) };
    },
  });

  addPathRoute(app, {
    method: 'DELETE',
    depths: [2, 4],
    summary: 'Delete',
    description: 'Deletes an object instance (or a resource instance, LwM2M 1.2).',
    querystring: timeoutOnly,
    response: okResponse,
    handler: async (request, _reply, { endpoint, path }) => {
      const response = await ctx.servers.delete(endpoint, path, requestOptions(request.query as OpQuery));
      if (!response.isSuccess()) throw deviceFailure(response, `Delete ${path}`);
      return { endpoint, path: String(path), code: response.code };
    },
  });

  addPathRoute(app, {
    method: 'GET',
    depths: [1, 2, 3],
    suffix: 'discover',
    summary: 'Discover',
    description: 'Lists the instances, resources and attached attributes below a path.',
    querystring: {
      type: 'object',
      properties: { timeout: timeoutQuery, depth: { type: 'integer', minimum: 0, maximum: 3 } },
      additionalProperties: false,
    },
    response: {
      200: {
        type: 'object',
        properties: {
          ...okBody.properties,
          links: {
            type: 'array',
            items: {
              type: 'object',
              properties: { path: { type: 'string' }, attributes: { type: 'object', additionalProperties: true } },
            },
          },
        },
      },
      ...operationErrors,
    },
    handler: async (request, _reply, { endpoint, path }) => {
      const query = request.query as OpQuery & { depth?: number };
      const response = await ctx.servers.discover(endpoint, path, {
        ...requestOptions(query),
        ...(query.depth !== undefined ? { depth: query.depth } : {}),
      });
      if (!response.isSuccess()) throw deviceFailure(response, `Discover ${path}`);
      const links = response.links.map((l) => ({
        path: l.path,
        attributes: Object.fromEntries(Object.entries(l.attributes).map(([k, v]) => [k, v ?? null])),
      }));
      return { endpoint, path: String(path), code: response.code, links };
    },
  });

  const attributeProperties = Object.fromEntries(
    ATTRIBUTE_NAMES.map((name) => [name, { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 0 }] }]),
  );
  addPathRoute(app, {
    method: 'PUT',
    depths: [1, 2, 3, 4],
    suffix: 'attributes',
    summary: 'Write-Attributes',
    description:
      'Sets notification attributes from the query (`?pmin=10&pmax=60`); an empty value (`?gt=`) removes one.',
    querystring: {
      type: 'object',
      properties: { timeout: timeoutQuery, ...attributeProperties },
      additionalProperties: false,
    },
    response: okResponse,
    handler: async (request, _reply, { endpoint, path }) => {
      const query = request.query as Record<string, number | string | undefined>;
      const attributes: Record<string, number | null> = {};
      for (const name of ATTRIBUTE_NAMES) {
        const value = query[name];
        if (value === undefined) continue;
        attributes[name] = value === '' ? null : Number(value);
      }
      if (Object.keys(attributes).length === 0)
        throw HttpError.badRequest(`give at least one of ${ATTRIBUTE_NAMES.join(', ')}`);
      const response = await ctx.servers.writeAttributes(
        endpoint,
        path,
        attributes as NotificationAttributes,
        requestOptions(query as OpQuery),
      );
      if (!response.isSuccess()) throw deviceFailure(response, `Write-Attributes ${path}`);
      return { endpoint, path: String(path), code: response.code };
    },
  });

  addPathRoute(app, {
    method: 'POST',
    depths: [1, 2, 3, 4],
    suffix: 'observe',
    summary: 'Observe',
    description: 'Starts an observation; notifications arrive on the event stream (`notification` events).',
    querystring: opQuery,
    response: {
      200: {
        type: 'object',
        properties: { ...okBody.properties, observationId: { type: 'string' }, content: nodeJsonSchema },
      },
      ...operationErrors,
    },
    handler: async (request, _reply, { endpoint, path }) => {
      const observation = await ctx.servers.observe(endpoint, path, requestOptions(request.query as OpQuery));
      const response = observation.response;
      if (!response.isSuccess() || !response.observation) throw deviceFailure(response, `Observe ${path}`);
      return {
        endpoint,
        path: String(path),
        code: response.code,
        observationId: response.observation.id,
        ...(response.content ? { content: nodeToJson(response.content) } : {}),
      };
    },
  });

  addPathRoute(app, {
    method: 'DELETE',
    depths: [1, 2, 3, 4],
    suffix: 'observe',
    summary: 'Cancel observation',
    description: 'Cancels the observations of this path (actively, telling the device, unless `active=false`).',
    querystring: {
      type: 'object',
      properties: { timeout: timeoutQuery, active: { type: 'boolean', default: true } },
      additionalProperties: false,
    },
    response: {
      200: { type: 'object', properties: { ...okBody.properties, cancelled: { type: 'integer' } } },
      ...operationErrors,
    },
    handler: async (request, _reply, { endpoint, path }) => {
      const registration = await registrationOf(ctx, endpoint);
      const query = request.query as OpQuery & { active?: boolean };
      const observations = await ctx.servers.listObservations(registration);
      const matching = observations.filter((o) => o.kind === 'single' && o.paths[0] === String(path));
      for (const o of matching) {
        await ctx.servers.cancelObservation(o.id, query.active === false ? 'passive' : 'active', requestOptions(query));
      }
      if (matching.length === 0) throw HttpError.notFound(`no observation of ${path} on "${endpoint}"`);
      return { endpoint, path: String(path), code: '2.05', cancelled: matching.length };
    },
  });
}
