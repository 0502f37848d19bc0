/** The HTTP side: REST API (validated, documented), live events, and the web UI's files. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { AppContext } from '../app/app-context';
import { toHttpError } from './api-errors';
import { bearerTokenCheck } from './auth';
import { DOCS_PAGE } from './docs-page';
import './fastify-config';
import { OpenApiCollector } from './openapi';
import { addBootstrapRoutes } from './routes/bootstrap-routes';
import { addClientRoutes } from './routes/client-routes';
import { addClusterRoutes } from './routes/cluster-routes';
import { addCompositeRoutes } from './routes/composite-routes';
import { addEventRoutes } from './routes/event-routes';
import { addModelRoutes } from './routes/model-routes';
import { addOperationRoutes } from './routes/operation-routes';
import { addSecurityRoutes } from './routes/security-routes';

export interface HttpApiOptions {
  /** Bearer token every /api request must carry (except the docs); none = open. */
  readonly apiToken?: string;
  /** Folder of the built web UI (index.html); absent = a page saying how to build it. */
  readonly uiDir?: string;
  readonly logger?: FastifyServerOptions['loggerInstance'];
  readonly version?: string;
  /** SSE/WebSocket keep-alive period (ms). */
  readonly heartbeatMs?: number;
}

const UI_MISSING = `<!doctype html><meta charset="utf-8"><title>lwm2m-ts server</title>
<body style="font:15px system-ui;margin:40px"><h1>lwm2m-ts server</h1>
<p>The web UI is not built. Run <code>pnpm --filter @lwm2m-ts/server-app build</code> and restart.</p>
<p>The REST API works: <a href="/api/docs">/api/docs</a>, <a href="/api/clients">/api/clients</a>.</p></body>`;

export async function buildHttpApi(ctx: AppContext, options: HttpApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 2_500_000,
    forceCloseConnections: true,
    // One line per request at debug level (below), not two at info: the UI and probes are chatty.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });
  const check = bearerTokenCheck(options.apiToken);
  const openapi = new OpenApiCollector();
  openapi.attach(app);

  for (const type of ['application/xml', 'text/xml']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config?.public) return;
    const url = new URL(request.url, 'http://localhost');
    if (!check(request.raw, url)) {
      reply.header('www-authenticate', 'Bearer realm="lwm2m-ts"');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'missing or wrong API token (Authorization: Bearer <token>)' });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'http',
    );
  });

  app.setErrorHandler((error, request, reply) => {
    const e = error as Error & { validation?: unknown; statusCode?: number; code?: string };
    if (e.validation) return reply.code(400).send({ error: 'bad-request', message: e.message });
    const mapped = toHttpError(error);
    if (mapped) return reply.code(mapped.status).send(mapped.body);
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: e.code ?? 'bad-request', message: e.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal server error (see the server log)' });
  });

  addClientRoutes(app, ctx);
  addCompositeRoutes(app, ctx);
  addOperationRoutes(app, ctx);
  addModelRoutes(app, ctx);
  addSecurityRoutes(app, ctx);
  addBootstrapRoutes(app, ctx);
  addClusterRoutes(app, ctx);
  addEventRoutes(app, ctx, {
    authorizeUpgrade: check,
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
  });

  const info = {
    title: 'lwm2m-ts server',
    version: options.version ?? '0.1.0',
    description:
      'LwM2M server REST API: clients, device management, composite operations, queue, models, security, bootstrap, live events.',
  };
  app.get(
    '/api/server',
    {
      schema: {
        tags: ['server'],
        summary: 'Version and where devices reach this server',
        response: {
          200: {
            type: 'object',
            properties: {
              version: { type: 'string' },
              coap: {
                type: 'object',
                properties: {
                  udpPort: { type: 'integer' },
                  tcpPort: { type: 'integer' },
                  dtlsPort: { type: 'integer' },
                  tlsPort: { type: 'integer' },
                  webSockets: { type: 'boolean' },
                },
              },
              bootstrapPort: { type: 'integer' },
              bootstrapCoapsPort: { type: 'integer' },
              clients: { type: 'integer' },
            },
          },
        },
      },
    },
    async () => ({ ...ctx.listening, clients: (await ctx.servers.listRegistrations()).length }),
  );
  app.get('/api/openapi.json', { config: { public: true } }, async () =>
    openapi.document(info, options.apiToken !== undefined),
  );
  app.get('/api/docs', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/html').send(DOCS_PAGE),
  );

  const uiDir = options.uiDir;
  if (uiDir && existsSync(join(uiDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: uiDir, wildcard: false, index: ['index.html'] });
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && !request.url.startsWith('/api/')) return reply.sendFile('index.html');
      return reply
        .code(404)
        .send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
    });
  } else {
    app.get('/', async (_request, reply) => reply.type('text/html').send(UI_MISSING));
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
    );
  }
  return app;
}
