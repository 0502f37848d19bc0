/**
 * The Endpoint of one transport of the client: a SleepGate (queue mode) around the transport,
 * the application's endpoint options plus the account's layers (OSCORE goes wire-side), and a
 * catch-all route that hands every request to the client with the account it came in on.
 */
import {
  type Clock,
  type CoapRequest,
  type CoapResponseInit,
  Endpoint,
  type EndpointOptions,
  Router,
} from '@lwm2m-ts/coap';
import { SleepGate, type SleepState } from '../queue/sleep-gate';
import type { AccountTransport } from './account-security';

export interface AccountEndpointOptions {
  readonly account: AccountTransport;
  readonly sleepState: SleepState;
  readonly clock: Clock;
  readonly endpoint: Omit<EndpointOptions, 'transport' | 'router' | 'clock'> | undefined;
  /** Serves a request that came in on `endpoint` (the one returned here). */
  serve(req: CoapRequest, endpoint: Endpoint): Promise<CoapResponseInit>;
  onError(error: unknown, where: string): void;
}

export function openAccountEndpoint(o: AccountEndpointOptions): { endpoint: Endpoint; gate: SleepGate } {
  const gate = new SleepGate(o.account.transport, o.sleepState);
  const router = new Router();
  const serve = (req: CoapRequest) => o.serve(req, endpoint);
  router.add('/*', {
    get: serve,
    put: serve,
    post: serve,
    delete: serve,
    fetch: serve,
    ipatch: serve,
    observable: true,
    hidden: true,
  });
  const endpoint = new Endpoint({
    ...o.endpoint,
    layers: [...(o.endpoint?.layers ?? []), ...(o.account.layers ?? [])],
    transport: gate,
    router,
    clock: o.clock,
    onError: (error, where) => {
      o.onError(error, where);
      o.endpoint?.onError?.(error, where);
    },
  });
  return { endpoint, gate };
}
