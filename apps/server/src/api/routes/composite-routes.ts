/** Composite operations (LwM2M 1.1+): read, write and observe several paths in one request. */

import { type LwM2mNode, LwM2mPath } from '@lwm2m-ts/objects';
import type { FastifyInstance } from 'fastify';
import { type AppContext, resourceModelsOf } from '../../app/app-context';
import { deviceFailure, HttpError } from '../api-errors';
import { contentFormatOf, type FormatName } from '../content-formats';
import { type NodeJson, nodeFromJson, nodeToJson } from '../node-json';
import { endpointParam, formatQuery, nodeJsonSchema, operationErrors, timeoutQuery } from '../schemas';
import { registrationOf } from './operation-routes';

const params = { type: 'object', properties: { endpoint: endpointParam }, required: ['endpoint'] } as const;
const pathList = {
  type: 'array',
  items: { type: 'string', pattern: '^/[0-9/]*$' },
  minItems: 1,
  maxItems: 256,
} as const;
const formats = { requestFormat: formatQuery, format: formatQuery, timeout: timeoutQuery } as const;

interface CompositeBody {
  paths?: string[];
  nodes?: Record<string, unknown>;
  requestFormat?: FormatName;
  format?: FormatName;
  timeout?: number;
}

function options(body: CompositeBody) {
  const requestFormat = contentFormatOf(body.requestFormat);
  const responseFormat = contentFormatOf(body.format);
  return {
    ...(requestFormat !== undefined ? { requestFormat } : {}),
    ...(responseFormat !== undefined ? { responseFormat } : {}),
    ...(body.timeout !== undefined ? { timeoutMs: Math.round(body.timeout * 1000) } : {}),
  };
}

function contentJson(content: ReadonlyMap<string, LwM2mNode>): Record<string, NodeJson> {
  return Object.fromEntries([...content].map(([path, node]) => [path, nodeToJson(node)]));
}

const parsePaths = (paths: readonly string[]) => paths.map((p) => LwM2mPath.parse(p));

const compositeResponse = {
  200: {
    type: 'object',
    properties: {
      endpoint: { type: 'string' },
      code: { type: 'string' },
      observationId: { type: 'string' },
      content: { type: 'object', additionalProperties: nodeJsonSchema },
    },
  },
  ...operationErrors,
};

export function addCompositeRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/api/clients/:endpoint/composite/read',
    {
      schema: {
        tags: ['composite'],
        summary: 'Read-Composite',
        params,
        body: {
          type: 'object',
          properties: { paths: pathList, ...formats },
          required: ['paths'],
          additionalProperties: false,
        },
        response: compositeResponse,
      },
    },
    async (request) => {
      const { endpoint } = request.params as { endpoint: string };
      const body = request.body as CompositeBody;
      const response = await ctx.servers.readComposite(endpoint, parsePaths(body.paths ?? []), options(body));
      if (!response.isSuccess()) throw deviceFailure(response, 'Read-Composite');
      return { endpoint, code: response.code, content: contentJson(response.content) };
    },
  );

  app.post(
    '/api/clients/:endpoint/composite/write',
    {
      schema: {
        tags: ['composite'],
        summary: 'Write-Composite',
        description: '`nodes` maps resource (or resource instance) paths to JSON nodes; types may be left out.',
        params,
        body: {
          type: 'object',
          properties: {
            nodes: { type: 'object', additionalProperties: nodeJsonSchema, minProperties: 1 },
            format: formatQuery,
            timeout: timeoutQuery,
          },
          required: ['nodes'],
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { endpoint: { type: 'string' }, code: { type: 'string' } } },
          ...operationErrors,
        },
      },
    },
    async (request) => {
      const { endpoint } = request.params as { endpoint: string };
      const body = request.body as CompositeBody;
      const registration = await registrationOf(ctx, endpoint);
      const modelOf = resourceModelsOf(ctx.models, registration);
      const nodes = new Map<string, LwM2mNode>();
      for (const [text, json] of Object.entries(body.nodes ?? {})) {
        const path = LwM2mPath.parse(text);
        if (path.level !== 'resource' && path.level !== 'resource-instance') {
          throw HttpError.badRequest(`Write-Composite writes resources or resource instances, not ${path}`);
        }
        nodes.set(String(path), nodeFromJson(json, path, modelOf));
      }
      const format = contentFormatOf(body.format);
      const response = await ctx.servers.writeComposite(endpoint, nodes, {
        ...(format !== undefined ? { format } : {}),
        ...(body.timeout !== undefined ? { timeoutMs: Math.round(body.timeout * 1000) } : {}),
      });
      if (!response.isSuccess()) throw deviceFailure(response, 'Write-Composite');
      return { endpoint, code: response.code };
    },
  );

  app.post(
    '/api/clients/:endpoint/composite/observe',
    {
      schema: {
        tags: ['composite'],
        summary: 'Observe-Composite',
        description: 'Cancel with DELETE /api/clients/{endpoint}/observations/{id}.',
        params,
        body: {
          type: 'object',
          properties: { paths: pathList, ...formats },
          required: ['paths'],
          additionalProperties: false,
        },
        response: compositeResponse,
      },
    },
    async (request) => {
      const { endpoint } = request.params as { endpoint: string };
      const body = request.body as CompositeBody;
      const observation = await ctx.servers.observeComposite(endpoint, parsePaths(body.paths ?? []), options(body));
      const response = observation.response;
      if (!response.isSuccess() || !response.observation) throw deviceFailure(response, 'Observe-Composite');
      return {
        endpoint,
        code: response.code,
        observationId: response.observation.id,
        content: contentJson(response.content),
      };
    },
  );
}
