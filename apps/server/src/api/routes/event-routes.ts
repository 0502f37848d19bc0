/**
 * The live stream: server-sent events at /api/events and the same events over a WebSocket at
 * /api/events/ws. Both take `endpoint` and `types` (comma-separated) filters.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { AppContext } from '../../app/app-context';
import { API_EVENT_TYPES, type ApiEventType } from '../../events/api-event';
import type { EventFilter, EventHub } from '../../events/event-hub';
import { subscribeWithReplay } from '../../events/replay-subscription';

/** Longest wait for the hub to go live (Redis down): the stream then opens anyway and fills later. */
const LIVE_WAIT_MS = 3000;

/** Resolves when `hub` is live, or after LIVE_WAIT_MS; never rejects. */
function liveWithin(hub: EventHub): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    hub.whenLive().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, LIVE_WAIT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

import { errorBodySchema } from '../api-errors';

const filterQuery = {
  type: 'object',
  properties: {
    endpoint: { type: 'string', minLength: 1, maxLength: 255 },
    types: { type: 'string', pattern: `^(${API_EVENT_TYPES.join('|')})(,(${API_EVENT_TYPES.join('|')}))*$` },
    access_token: { type: 'string', description: 'The API token, for clients that cannot set headers (EventSource).' },
    since: {
      type: 'string',
      pattern: '^[0-9]+(-[0-9]+)?$',
      description:
        'Cluster mode: first replay the events after this event id (as SSE `Last-Event-ID` does); ignored on a single node.',
    },
  },
  additionalProperties: false,
} as const;

function filterOf(query: { endpoint?: string; types?: string }): EventFilter {
  return {
    ...(query.endpoint !== undefined ? { endpoint: query.endpoint } : {}),
    ...(query.types ? { types: new Set(query.types.split(',') as ApiEventType[]) } : {}),
  };
}

export interface EventRouteOptions {
  /** Checks the credentials of a WebSocket upgrade; false answers 401. */
  readonly authorizeUpgrade: (request: IncomingMessage, url: URL) => boolean;
  readonly heartbeatMs?: number;
  /** A live consumer with more unsent bytes than this is disconnected (default 8 MiB). */
  readonly maxBufferedBytes?: number;
}

export function addEventRoutes(app: FastifyInstance, ctx: AppContext, options: EventRouteOptions): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const streams = new Set<() => void>();

  app.get(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live events (text/event-stream)',
        description: `Event names: ${API_EVENT_TYPES.join(', ')}. Each data line is the JSON event.`,
        querystring: filterQuery,
        produces: ['text/event-stream'],
        response: { 200: { type: 'string' }, 401: errorBodySchema },
      },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      const query = request.query as { endpoint?: string; types?: string; since?: string };
      const lastEventId = request.headers['last-event-id'];
      const since =
        query.since ??
        (typeof lastEventId === 'string' && /^[0-9]+(-[0-9]+)?$/.test(lastEventId) ? lastEventId : undefined);
      let unsubscribe = () => {};
      let heartbeat: NodeJS.Timeout | undefined;
      let closed = false;
      const close = () => {
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(close);
        if (!res.writableEnded) res.end();
      };
      streams.add(close);
      request.raw.on('close', close);
      res.on('error', close);
      // The headers go out once the hub delivers (a cluster node first starts reading its stream):
      // a client that saw them misses nothing published afterwards.
      liveWithin(ctx.hub).then(() => {
        if (closed) return;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write('retry: 2000\n: connected\n\n');
        let corked = false;
        const uncork = () => {
          corked = false;
          res.uncork();
        };
        unsubscribe = subscribeWithReplay(ctx.hub, filterOf(query), since, (event, id, json) => {
          // A consumer that stops reading is dropped rather than buffered without bound.
          if (res.writableLength > maxBufferedBytes) return close();
          // The events of one turn leave in one socket write (a busy device fleet emits them in bursts).
          if (!corked) {
            corked = true;
            res.cork();
            setImmediate(uncork);
          }
          // In cluster mode every event has a stream id: a reconnecting EventSource resumes from it.
          res.write(
            `${id !== undefined ? `id: ${id}\n` : ''}event: ${event.type}\ndata: ${json ?? JSON.stringify(event)}\n\n`,
          );
        });
        heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
        heartbeat.unref();
      });
    },
  );

  app.get(
    '/api/events/ws',
    {
      schema: {
        tags: ['events'],
        summary: 'Live events over a WebSocket (upgrade); one JSON event per text message',
        querystring: filterQuery,
        response: { 426: errorBodySchema },
      },
    },
    async (_request, reply) =>
      reply.code(426).send({ error: 'upgrade-required', message: 'connect with a WebSocket client' }),
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/events/ws') return; // CoAP over WebSockets shares the server
    if (!options.authorizeUpgrade(request, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const types = url.searchParams.get('types');
    if (types && !types.split(',').every((t) => API_EVENT_TYPES.includes(t as ApiEventType))) {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    // The upgrade completes once the hub delivers (see the SSE route).
    liveWithin(ctx.hub).then(() => {
      if (socket.destroyed) return;
      wss.handleUpgrade(request, socket, head, (ws) => {
        const filter = filterOf({
          ...(url.searchParams.get('endpoint') ? { endpoint: url.searchParams.get('endpoint')! } : {}),
          ...(types ? { types } : {}),
        });
        const since = url.searchParams.get('since');
        const replayFrom = since && /^[0-9]+(-[0-9]+)?$/.test(since) ? since : undefined;
        const unsubscribe = subscribeWithReplay(ctx.hub, filter, replayFrom, (event, id) => {
          if (ws.bufferedAmount > maxBufferedBytes) return ws.terminate();
          // Cluster mode: `eventId` is what a reconnecting client passes as ?since=.
          ws.send(JSON.stringify(id !== undefined ? { ...event, eventId: id } : event));
        });
        const ping = setInterval(() => ws.ping(), heartbeatMs);
        ping.unref();
        ws.on('close', () => {
          clearInterval(ping);
          unsubscribe();
        });
        ws.on('error', () => ws.terminate());
      });
    });
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    for (const close of [...streams]) close();
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
}
