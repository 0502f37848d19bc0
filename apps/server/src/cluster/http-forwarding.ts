/**
 * Any node answers any REST call: a request on `/api/clients/{endpoint}[/…]` (the client, device
 * operations, observations, queue, log) whose device another live node owns is sent to that node over the
 * forwarding RPC, run there through its own HTTP API (`inject`: same validation, same answers),
 * and its status and body are returned as if local. No answer in time: 504 `owner-timeout`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForwardTimeoutError } from './forward-timeout-error';
import type { ForwardingRpc } from './forwarding-rpc';
import type { NodeRegistry } from './node-registry';
import type { Ownership } from './ownership';

/** Marks a request a node runs for another one: it is never forwarded again. */
export const FORWARDED_HEADER = 'x-lwm2m-forwarded-by';
/** A client (its sleeping state is the owner's) and everything under it. */
const CLIENT_ROUTE = '/api/clients/:endpoint';
const PASSED_HEADERS = ['authorization', 'content-type', 'accept'] as const;

export interface ForwardedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface ForwardedResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly body: string;
}

export interface HttpForwardingOptions {
  readonly ownership: Ownership;
  readonly registry: NodeRegistry;
  readonly rpc: ForwardingRpc;
  /** How long to wait for the owner when the request names no `timeout` (ms). */
  readonly forwardTimeoutMs: number;
}

/** Adds the forwarding hook (call before the app listens). */
export function addHttpForwarding(app: FastifyInstance, options: HttpForwardingOptions): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.headers[FORWARDED_HEADER] !== undefined) return;
    const route = request.routeOptions.url;
    if (route !== CLIENT_ROUTE && !route?.startsWith(`${CLIENT_ROUTE}/`)) return;
    const endpoint = (request.params as { endpoint?: string }).endpoint;
    if (!endpoint) return;
    const owner = await options.ownership.ownerOf(endpoint);
    if (owner === undefined || owner === options.ownership.nodeId) return;
    // A dead owner cannot answer: this node serves the device itself.
    if (!(await options.registry.isAlive(owner))) return;
    return forward(request, reply, owner, options);
  });
}

async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  owner: string,
  options: HttpForwardingOptions,
): Promise<FastifyReply> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const body = request.body;
  const message: ForwardedRequest = {
    method: request.method,
    url: request.url,
    headers,
    ...(body === undefined || body === null ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
  const deviceTimeout = (request.query as { timeout?: number } | undefined)?.timeout;
  // The device gets its own timeout; the owner gets 2 s more to pass the answer back.
  const timeoutMs =
    typeof deviceTimeout === 'number' ? Math.round(deviceTimeout * 1000) + 2000 : options.forwardTimeoutMs;
  let answer: ForwardedResponse;
  try {
    answer = parseResponse(await options.rpc.call(owner, JSON.stringify(message), timeoutMs));
  } catch (error) {
    if (ForwardTimeoutError.isInstance(error)) {
      return reply.code(504).send({ error: 'owner-timeout', message: error.message });
    }
    throw error;
  }
  reply.header('x-lwm2m-served-by', owner);
  if (answer.contentType) reply.header('content-type', answer.contentType);
  return reply.code(answer.status).send(answer.body);
}

/** The owner's side: runs a forwarded request through its own API. Bad input: a 400 answer. */
export async function serveForwarded(app: FastifyInstance, body: string, from: string): Promise<string> {
  const request = parseRequest(body);
  if (!request) {
    const answer: ForwardedResponse = {
      status: 400,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error: 'bad-request', message: 'malformed forwarded request' }),
    };
    return JSON.stringify(answer);
  }
  const response = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: { ...request.headers, [FORWARDED_HEADER]: from },
    ...(request.body !== undefined ? { payload: request.body } : {}),
  });
  const contentType = response.headers['content-type'];
  const answer: ForwardedResponse = {
    status: response.statusCode,
    ...(typeof contentType === 'string' ? { contentType } : {}),
    body: response.body,
  };
  return JSON.stringify(answer);
}

const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'PATCH']);

export function parseRequest(json: string): ForwardedRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { method, url, headers, body } = value as Record<string, unknown>;
  if (typeof method !== 'string' || !METHODS.has(method)) return undefined;
  if (typeof url !== 'string' || !url.startsWith('/api/clients/')) return undefined;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const clean: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const v = (headers as Record<string, unknown>)[name];
    if (typeof v === 'string') clean[name] = v;
  }
  if (body !== undefined && typeof body !== 'string') return undefined;
  return { method, url, headers: clean, ...(body !== undefined ? { body } : {}) };
}

export function parseResponse(json: string): ForwardedResponse {
  const value = JSON.parse(json) as Partial<ForwardedResponse>;
  if (typeof value.status !== 'number' || typeof value.body !== 'string')
    throw new Error('malformed answer from the owning node');
  return value as ForwardedResponse;
}
