/** Turns server and bootstrap-server events into API events on the hub. */
import type { LwM2mNode } from '@lwm2m-ts/objects';
import type { CoapBootstrapServer, CoapLwM2mServer, Registration } from '@lwm2m-ts/server';
import { type NodeJson, nodeToJson } from '../api/node-json';
import { registrationToJson } from '../api/registration-json';
import type { EventHub } from '../events/event-hub';

const composite = (content: ReadonlyMap<string, LwM2mNode>): Record<string, NodeJson> =>
  Object.fromEntries([...content].map(([path, node]) => [path, nodeToJson(node)]));

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function wireServerEvents(server: CoapLwM2mServer, hub: EventHub): void {
  const json = (r: Registration) => registrationToJson(r, server.isSleeping(r), server.endpoint.transport.scheme);
  const e = server.events;
  e.on('registered', ({ registration }) =>
    hub.publish({ type: 'registered', endpoint: registration.endpoint, registration: json(registration) }),
  );
  e.on('updated', ({ registration }) =>
    hub.publish({ type: 'updated', endpoint: registration.endpoint, registration: json(registration) }),
  );
  e.on('deregistered', ({ registration, reason }) =>
    hub.publish({ type: 'deregistered', endpoint: registration.endpoint, registrationId: registration.id, reason }),
  );
  e.on('expired', ({ registration }) =>
    hub.publish({
      type: 'deregistered',
      endpoint: registration.endpoint,
      registrationId: registration.id,
      reason: 'expired',
    }),
  );
  e.on('sleeping', ({ registration }) => hub.publish({ type: 'sleeping', endpoint: registration.endpoint }));
  e.on('awake', ({ registration }) => hub.publish({ type: 'awake', endpoint: registration.endpoint }));
  e.on('notification', (n) =>
    hub.publish({
      type: 'notification',
      endpoint: n.observation.endpoint,
      observationId: n.observation.id,
      paths: n.observation.paths,
      code: n.code,
      ...(n.content ? { content: nodeToJson(n.content) } : {}),
      ...(n.compositeContent ? { compositeContent: composite(n.compositeContent) } : {}),
      at: n.receivedAt,
    }),
  );
  e.on('observationCancelled', ({ observation, reason }) =>
    hub.publish({
      type: 'observation-cancelled',
      endpoint: observation.endpoint,
      observationId: observation.id,
      paths: observation.paths,
      reason,
    }),
  );
  e.on('send', ({ registration, content, receivedAt }) =>
    hub.publish({ type: 'send', endpoint: registration.endpoint, content: composite(content), at: receivedAt }),
  );
  e.on('queuedResponse', ({ queued, response }) =>
    hub.publish({
      type: 'queue',
      endpoint: queued.endpoint,
      queuedRequestId: queued.id,
      outcome: 'delivered',
      detail: response.code,
    }),
  );
  e.on('queuedFailed', ({ queued, error }) =>
    hub.publish({
      type: 'queue',
      endpoint: queued.endpoint,
      queuedRequestId: queued.id,
      outcome: 'failed',
      detail: describe(error),
    }),
  );
  e.on('queuedDropped', ({ queued, reason }) =>
    hub.publish({
      type: 'queue',
      endpoint: queued.endpoint,
      queuedRequestId: queued.id,
      outcome: 'dropped',
      detail: reason,
    }),
  );
}

export function wireBootstrapEvents(bootstrap: CoapBootstrapServer, hub: EventHub): void {
  const e = bootstrap.events;
  e.on('sessionStarted', ({ endpoint, peer }) =>
    hub.publish({ type: 'bootstrap', endpoint, phase: 'started', detail: `from ${peer.address}:${peer.port}` }),
  );
  e.on('sessionFinished', ({ endpoint }) =>
    hub.publish({ type: 'bootstrap', endpoint, phase: 'finished', detail: 'Bootstrap-Finish acknowledged' }),
  );
  e.on('sessionFailed', ({ endpoint, reason }) =>
    hub.publish({ type: 'bootstrap', endpoint, phase: 'failed', detail: reason }),
  );
}
