/**
 * An LwM2M bootstrap server on a CoAP transport: `POST /bs?ep=&pct=` starts a session run by
 * the core `BootstrapService` over the same Endpoint.
 */
import { Endpoint, type EndpointOptions, Router, type Transport } from '@lwm2m-ts/coap';
import { CoapCode } from '@lwm2m-ts/codec';
import { createDefaultRegistry, type ModelRegistry } from '@lwm2m-ts/objects';
import type { BootstrapConfigStore } from '../bootstrap/bootstrap-config-store';
import { BootstrapService, parseBootstrapRequest } from '../bootstrap/bootstrap-service';
import { type Clock, systemClock } from '../core/clock';
import { randomId } from '../core/id-generator';
import { type RegistrationAuthorizer, SecurityStoreAuthorizer } from '../security/registration-authorizer';
import type { SecurityStore } from '../security/security-store';
import { errorAnswer } from './coap-codes';
import { CoapDownlinkSender } from './coap-downlink-sender';
import { type ContentCodecs, defaultContentCodecs } from './content-codecs';

export interface CreateBootstrapServerOptions {
  readonly transport: Transport;
  readonly configStore?: BootstrapConfigStore;
  /** Bootstrap credentials: a client must prove the identity its endpoint's info names. */
  readonly securityStore?: SecurityStore;
  readonly authorizer?: RegistrationAuthorizer;
  readonly endpoint?: Omit<EndpointOptions, 'transport' | 'router' | 'clock'>;
  readonly codecs?: ContentCodecs;
  readonly models?: ModelRegistry;
  readonly clock?: Clock;
  readonly requestTimeoutMs?: number;
}

export class CoapBootstrapServer extends BootstrapService {
  readonly endpoint: Endpoint;

  constructor(options: CreateBootstrapServerOptions) {
    const clock = options.clock ?? systemClock;
    const router = new Router();
    const endpoint = new Endpoint({ ...options.endpoint, transport: options.transport, router, clock });
    const codecs = options.codecs ?? defaultContentCodecs();
    const sender = new CoapDownlinkSender({
      endpoint,
      codecs,
      models: options.models ?? createDefaultRegistry(),
      clock,
      generateId: randomId,
      ...(options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {}),
      onError: (error) => this?.events.emit('error', { error }),
    });
    const authorizer =
      options.authorizer ?? (options.securityStore ? new SecurityStoreAuthorizer(options.securityStore) : undefined);
    super({
      sender,
      clock,
      supportsFormat: (format) => codecs.get(format) !== undefined,
      ...(options.configStore ? { configStore: options.configStore } : {}),
      ...(authorizer ? { authorizer } : {}),
      ...(options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {}),
    });
    this.endpoint = endpoint;
    router.post('/bs', async (request) => {
      const parsed = parseBootstrapRequest(request.query);
      if (!parsed.ok) return errorAnswer(parsed.code, parsed.diagnostic);
      const result = await this.handleBootstrapRequest(parsed.value, request.peer);
      if (result.code !== '2.04') return errorAnswer(result.code, result.diagnostic ?? '');
      return { code: CoapCode.CHANGED };
    });
  }

  async close(): Promise<void> {
    await this.endpoint.close();
  }
}

export function createBootstrapServer(options: CreateBootstrapServerOptions): CoapBootstrapServer {
  return new CoapBootstrapServer(options);
}
