/** Object models: the embedded core + IPSO set, `--models DIR`, and DDF files uploaded here. */

import { DdfError, type ObjectModel, parseDdf, type ResourceModel } from '@lwm2m-ts/objects';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/app-context';
import { errorBodySchema, HttpError } from '../api-errors';

function resourceJson(r: ResourceModel) {
  const ops = `${r.operations.read ? 'R' : ''}${r.operations.write ? 'W' : ''}${r.operations.execute ? 'E' : ''}`;
  return {
    id: r.id,
    name: r.name,
    operations: ops,
    multiple: r.multiple,
    mandatory: r.mandatory,
    type: r.type,
    ...(r.units ? { units: r.units } : {}),
    ...(r.range
      ? {
          range:
            r.range.kind === 'range'
              ? `${r.range.min}..${r.range.max}`
              : r.range.kind === 'enumeration'
                ? r.range.values.join(', ')
                : r.range.text,
        }
      : {}),
    description: r.description,
  };
}

export const modelSummary = (m: ObjectModel) => ({
  id: m.id,
  name: m.name,
  version: m.version,
  lwm2mVersion: m.lwm2mVersion,
  urn: m.urn,
  multiple: m.multiple,
  mandatory: m.mandatory,
  resourceCount: m.resources.size,
});

export const modelJson = (m: ObjectModel) => ({
  ...modelSummary(m),
  description: m.description,
  ...(m.description2 ? { description2: m.description2 } : {}),
  resources: [...m.resources.values()].map(resourceJson),
});

const summarySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    version: { type: 'string' },
    lwm2mVersion: { type: 'string' },
    urn: { type: 'string' },
    multiple: { type: 'boolean' },
    mandatory: { type: 'boolean' },
    resourceCount: { type: 'integer' },
  },
} as const;
const modelSchema = {
  type: 'object',
  properties: {
    ...summarySchema.properties,
    description: { type: 'string' },
    description2: { type: 'string' },
    resources: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export function addModelRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Object models (every version), sorted by id',
        querystring: {
          type: 'object',
          properties: { search: { type: 'string', maxLength: 100 } },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: summarySchema }, 401: errorBodySchema },
      },
    },
    async (request) => {
      const needle = (request.query as { search?: string }).search?.toLowerCase();
      return ctx.models
        .all()
        .filter((m) => !needle || m.name.toLowerCase().includes(needle) || String(m.id) === needle)
        .sort((a, b) => a.id - b.id || (a.version < b.version ? -1 : 1))
        .map(modelSummary);
    },
  );

  app.get(
    '/api/models/:id',
    {
      schema: {
        tags: ['models'],
        summary: 'One object model (latest version unless `version` is given)',
        params: {
          type: 'object',
          properties: { id: { type: 'integer', minimum: 0, maximum: 65535 } },
          required: ['id'],
        },
        querystring: {
          type: 'object',
          properties: { version: { type: 'string', pattern: '^\\d+\\.\\d+$' } },
          additionalProperties: false,
        },
        response: { 200: modelSchema, 404: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request) => {
      const { id } = request.params as { id: number };
      const { version } = request.query as { version?: string };
      const model = version !== undefined ? ctx.models.get(id, version) : ctx.models.latest(id);
      if (!model) throw HttpError.notFound(`no model for object ${id}${version ? ` version ${version}` : ''}`);
      return modelJson(model);
    },
  );

  app.post(
    '/api/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Upload a DDF XML file (one or more object definitions)',
        description: 'Added on top of the known models; an object id + version already known is replaced.',
        consumes: ['application/xml', 'text/xml'],
        body: { type: 'string', minLength: 1, maxLength: 2_000_000 },
        response: { 201: { type: 'array', items: summarySchema }, 400: errorBodySchema, 401: errorBodySchema },
      },
    },
    async (request, reply) => {
      let models: ObjectModel[];
      try {
        models = parseDdf(request.body as string, { source: 'upload' });
      } catch (error) {
        if (DdfError.isInstance(error)) throw HttpError.badRequest(error.message);
        throw error;
      }
      if (models.length === 0) throw HttpError.badRequest('the XML holds no object definition (LWM2M/Object)');
      ctx.models.add(models);
      reply.code(201);
      return models.map(modelSummary);
    },
  );
}
