/**
 * The OpenAPI 3.1 document, built from the routes' own JSON schemas (what validates a request
 * is what is documented). Routes registered once per path depth are folded into one `{path}`.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

interface CollectedRoute {
  readonly method: string;
  readonly docPath: string;
  readonly depths?: readonly number[];
  readonly schema: Record<string, unknown>;
}

const LEVEL_NAMES = ['', '/o', '/o/i', '/o/i/r', '/o/i/r/ri'];

export class OpenApiCollector {
  readonly #routes: CollectedRoute[] = [];
  readonly #seen = new Set<string>();

  /** Call before routes are added. */
  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => this.#collect(route));
  }

  #collect(route: RouteOptions): void {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || schema.hide === true) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const docPath = route.config?.docPath ?? route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of methods) {
      const key = `${method} ${docPath}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.#routes.push({
        method: method.toLowerCase(),
        docPath,
        ...(route.config?.docDepths ? { depths: route.config.docDepths } : {}),
        schema,
      });
    }
  }

  document(info: { title: string; version: string; description: string }, tokenRequired: boolean): object {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.#routes) {
      const s = route.schema;
      const parameters: object[] = [];
      const params = s.params as { properties?: Record<string, object>; required?: string[] } | undefined;
      for (const [name, schema] of Object.entries(params?.properties ?? {})) {
        if (route.depths && name !== 'endpoint') continue;
        parameters.push({ name, in: 'path', required: true, schema });
      }
      if (route.depths) {
        parameters.push({
          name: 'path',
          in: 'path',
          required: true,
          description: `LwM2M path without leading slash: ${route.depths.map((d) => LEVEL_NAMES[d]).join(', ')}`,
          schema: { type: 'string', pattern: '^[0-9]+(/[0-9]+){0,3}$' },
        });
      }
      const query = s.querystring as { properties?: Record<string, object>; required?: string[] } | undefined;
      for (const [name, schema] of Object.entries(query?.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema });
      }
      const responses: Record<string, object> = {};
      for (const [code, schema] of Object.entries((s.response as Record<string, object>) ?? {})) {
        const isEmpty = (schema as { type?: string }).type === 'null';
        const produces = (s.produces as string[] | undefined) ?? ['application/json'];
        responses[code] = {
          description: describeStatus(Number(code)),
          ...(isEmpty ? {} : { content: Object.fromEntries(produces.map((p) => [p, { schema }])) }),
        };
      }
      const operation: Record<string, unknown> = {
        summary: s.summary,
        ...(s.description ? { description: s.description } : {}),
        ...(s.tags ? { tags: s.tags } : {}),
        parameters,
        responses: Object.keys(responses).length ? responses : { 200: { description: 'OK' } },
      };
      if (s.body) {
        const consumes = (s.consumes as string[] | undefined) ?? ['application/json'];
        operation.requestBody = {
          required: true,
          content: Object.fromEntries(consumes.map((c) => [c, { schema: bodySchemaFor(c, s.body as object) }])),
        };
      }
      paths[route.docPath] ??= {};
      paths[route.docPath]![route.method] = operation;
    }
    return {
      openapi: '3.1.0',
      info,
      servers: [{ url: '/' }],
      ...(tokenRequired
        ? {
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
            security: [{ bearer: [] }],
          }
        : {}),
      paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }
}

function bodySchemaFor(contentType: string, schema: object): object {
  const anyOf = (schema as { anyOf?: object[] }).anyOf;
  if (!anyOf) return schema;
  const wantString = contentType.startsWith('text/');
  return anyOf.find((s) => ((s as { type?: string }).type === 'string') === wantString) ?? schema;
}

function describeStatus(code: number): string {
  const names: Record<number, string> = {
    200: 'OK',
    201: 'Created',
    204: 'No content',
    400: 'Bad request (the message says what is wrong)',
    401: 'Missing or wrong API token',
    404: 'Unknown client, path or item',
    409: 'Client sleeping (request queued) or conflict',
    426: 'Upgrade required',
    504: 'The device did not answer in time',
  };
  return names[code] ?? `HTTP ${code}`;
}
