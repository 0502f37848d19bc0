/**
 * An LwM2M server on a CoAP transport: the core `LwM2mServer` plus an `Endpoint` that serves
 * `/rd` and `/dp` and carries the downlink requests.
 */
import { Endpoint, type EndpointOptions, Router, type Transport } from '@lwm2m-ts/coap';
import { createDefaultRegistry, type ModelRegistry } from '@lwm2m-ts/objects';
import { systemClock } from '../core/clock';
import { randomId } from '../core/id-generator';
import { tokenIndexOf } from '../observation/observation-token-index';
import type { Registration } from '../registration/registration';
import type { RegistrationLimits } from '../registration/registration-requests';
import { SecurityStoreAuthorizer } from '../security/registration-authorizer';
import type { SecurityStore } from '../security/security-store';
import { LwM2mServer, type LwM2mServerOptions } from '../server/lwm2m-server';
import { batchedDispatch } from './batched-dispatch';
import { CoapDownlinkSender } from './coap-downlink-sender';
import { type ContentCodecs, defaultContentCodecs } from './content-codecs';
import { addRegistrationRoutes } from './registration-routes';
import { addSendRoute } from './send-route';

export interface CreateLwM2mServerOptions extends Omit<LwM2mServerOptions, 'sender' | 'dispatchEvent'> {
  readonly transport: Transport;
  /** Extra Endpoint settings (layers such as OSCORE, transmission parameters, token generator). */
  readonly endpoint?: Omit<EndpointOptions, 'transport' | 'router' | 'clock'>;
  /** Node codecs by content format; default: every codec of `@lwm2m-ts/objects`. */
  readonly codecs?: ContentCodecs;
  /** Object definitions used to type decoded values; default the embedded core + IPSO set. */
  readonly models?: ModelRegistry;
  /**
   * Credentials per endpoint. With it (and no explicit `authorizer`), a client may only register
   * as an endpoint whose security info matches the identity its transport established.
   */
  readonly securityStore?: SecurityStore;
  readonly registrationLimits?: RegistrationLimits;
  readonly maxRegistrationPayloadBytes?: number;
  readonly maxSendPayloadBytes?: number;
  /** Default response timeout of downlink requests (ms). */
  readonly requestTimeoutMs?: number;
}

export class CoapLwM2mServer extends LwM2mServer {
  readonly endpoint: Endpoint;
  readonly #sender: CoapDownlinkSender;

  constructor(options: CreateLwM2mServerOptions) {
    const clock = options.clock ?? systemClock;
    const generateId = options.generateId ?? randomId;
    const router = new Router();
    const tokenIndex = options.observationStore ? tokenIndexOf(options.observationStore) : undefined;
    const endpoint = new Endpoint({
      ...(tokenIndex ? { onUnknownNotification: (message, peer) => this.#adopt(message.token, peer.key) } : {}),
      ...options.endpoint,
      transport: options.transport,
      router,
      clock,
    });
    const codecs = options.codecs ?? defaultContentCodecs();
    const models = options.models ?? createDefaultRegistry();
    const sender = new CoapDownlinkSender({
      endpoint,
      codecs,
      models,
      clock,
      generateId,
      ...(options.requestTimeoutMs !== undefined ? { timeoutMs: options.requestTimeoutMs } : {}),
      onError: (error) => this?.events.emit('error', { error }),
      ...(tokenIndex ? { bindToken: (id: string, token: Uint8Array) => tokenIndex.bindToken(id, token) } : {}),
    });
    const authorizer =
      options.authorizer ?? (options.securityStore ? new SecurityStoreAuthorizer(options.securityStore) : undefined);
    super({
      ...options,
      clock,
      generateId,
      sender,
      ...(authorizer ? { authorizer } : {}),
      // Listeners run after the response to Register/Update went out.
      dispatchEvent: batchedDispatch(clock),
    });
    this.endpoint = endpoint;
    this.#sender = sender;
    sender.attach(this.observations);
    addRegistrationRoutes(router, this.registrations, {
      ...(options.registrationLimits ? { limits: options.registrationLimits } : {}),
      ...(options.maxRegistrationPayloadBytes !== undefined
        ? { maxPayloadBytes: options.maxRegistrationPayloadBytes }
        : {}),
    });
    addSendRoute(router, this, {
      codecs,
      models,
      ...(options.maxSendPayloadBytes !== undefined ? { maxPayloadBytes: options.maxSendPayloadBytes } : {}),
    });
    this.events.on('updated', ({ registration, addressChanged }) => {
      if (!addressChanged) return;
      this.#sender
        .rebind(registration.id, {
          endpoint: registration.endpoint,
          peer: registration.peer,
          registrationId: registration.id,
          lwm2mVersion: registration.lwm2mVersion,
          objectLinks: registration.objectLinks,
        })
        .catch((error) => this.events.emit('error', { error }));
    });
    const ended = ({ registration }: { registration: { id: string } }) =>
      this.#sender.forgetRegistration(registration.id);
    this.events.on('deregistered', ended);
    this.events.on('expired', ended);
    this.start();
  }

  /**
   * Cluster failover: re-establishes, from this server, the stored observations of a registration
   * whose device another node served until now (same observation ids). Returns how many started.
   */
  async resumeObservations(registration: Registration): Promise<number> {
    const target = targetOf(registration);
    let started = 0;
    for (const info of await this.observations.store.listByRegistration(registration.id)) {
      if (this.#sender.resume(info, target)) started++;
    }
    return started;
  }

  /**
   * Cluster: another node now serves this registration's device; drop the CoAP observations this
   * server holds for it without telling the device (the stored observations stay).
   */
  releaseObservations(registrationId: string): void {
    this.#sender.forgetRegistration(registrationId);
  }

  /**
   * A notification whose token this endpoint does not know: an observation another server node
   * made (cluster failover). Found in the shared store by token, for the registration of the same
   * peer, it is taken over here; else the notification is rejected (RST).
   */
  async #adopt(token: Uint8Array, peerKey: string): Promise<boolean> {
    const index = tokenIndexOf(this.observations.store);
    const info = index ? await index.getByToken(token) : undefined;
    if (!info) return false;
    const registration = await this.registrations.store.getById(info.registrationId);
    if (!registration || registration.peer.key !== peerKey) return false;
    return this.#sender.adopt(info, targetOf(registration), token);
  }

  /** Stops timers, drops observations and closes the endpoint and its transport. */
  async close(): Promise<void> {
    this.stop();
    this.#sender.close();
    await this.endpoint.close();
  }
}

/** Creates and starts an LwM2M server on a transport. */
export function createLwM2mServer(options: CreateLwM2mServerOptions): CoapLwM2mServer {
  return new CoapLwM2mServer(options);
}

const targetOf = (registration: Registration) => ({
  endpoint: registration.endpoint,
  peer: registration.peer,
  registrationId: registration.id,
  lwm2mVersion: registration.lwm2mVersion,
  objectLinks: registration.objectLinks,
});
