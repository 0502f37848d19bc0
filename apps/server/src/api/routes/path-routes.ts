/**
 * Registers one operation on `/api/clients/{endpoint}/{path}[/suffix]` for each path depth it
 * allows (numeric segments, validated), documented once as `{path}` in the OpenAPI document.
 */

import { LwM2mPath } from '@lwm2m-ts/objects';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { endpointParam, idParam } from '../schemas';

export interface PathRouteSpec {
  readonly method: HTTPMethods;
  /** 1 = /o, 2 = /o/i, 3 = /o/i/r, 4 = /o/i/r/ri. */
  readonly depths: readonly number[];
  readonly suffix?: string;
  readonly summary: string;
  readonly description?: string;
  readonly querystring?: object;
  readonly body?: object;
  readonly consumes?: readonly string[];
  readonly response?: Record<number, object>;
  readonly handler: (
    request: FastifyRequest,
    reply: FastifyReply,
    target: { endpoint: string; path: LwM2mPath },
  ) => Promise<unknown>;
}

const SEGMENTS = ['objectId', 'instanceId', 'resourceId', 'resourceInstanceId'];

export function addPathRoute(app: FastifyInstance, spec: PathRouteSpec): void {
  for (const depth of spec.depths) {
    const names = SEGMENTS.slice(0, depth);
    const url = `/api/clients/:endpoint/${names.map((n) => `:${n}`).join('/')}${spec.suffix ? `/${spec.suffix}` : ''}`;
    const params = {
      type: 'object',
      properties: { endpoint: endpointParam, ...Object.fromEntries(names.map((n) => [n, idParam])) },
      required: ['endpoint', ...names],
    };
    app.route({
      method: spec.method,
      url,
      schema: {
        tags: ['operations'],
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        params,
        ...(spec.querystring ? { querystring: spec.querystring } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.consumes ? { consumes: spec.consumes } : {}),
        ...(spec.response ? { response: spec.response } : {}),
      },
      config: {
        docPath: `/api/clients/{endpoint}/{path}${spec.suffix ? `/${spec.suffix}` : ''}`,
        docDepths: spec.depths,
      },
      handler: async (request, reply) => {
        const p = request.params as Record<string, string>;
        const path = LwM2mPath.of(...names.map((n) => Number(p[n])));
        return spec.handler(request, reply, { endpoint: p.endpoint ?? '', path });
      },
    });
  }
}
