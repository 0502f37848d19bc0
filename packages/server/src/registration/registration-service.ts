/**
 * The registration interface (Register, Update, De-register) and lifetime expiry, independent
 * of CoAP. Results are values carrying a response code; nothing here throws on bad input.
 */
import { type Clock, systemClock } from '../core/clock';
import { TypedEmitter } from '../core/event-emitter';
import { type IdGenerator, randomId } from '../core/id-generator';
import { type ClientPeer, sameIdentity } from '../core/peer';
import { ResponseCode } from '../core/response-code';
import type { RegistrationAuthorizer } from '../security/registration-authorizer';
import { checkRegistrationLinks } from './object-links';
import type { Registration } from './registration';
import type { RegisterRequest, UpdateRequest } from './registration-requests';
import { InMemoryRegistrationStore, type RegistrationStore } from './registration-store';

export type DeregistrationReason = 'deregistered' | 'replaced';

export interface RegistrationEvents {
  registered: { readonly registration: Registration; readonly previous?: Registration };
  updated: { readonly registration: Registration; readonly previous: Registration; readonly addressChanged: boolean };
  deregistered: { readonly registration: Registration; readonly reason: DeregistrationReason };
  expired: { readonly registration: Registration };
}

export type RegistrationResult =
  | { readonly code: '2.01' | '2.04' | '2.02'; readonly registration: Registration }
  | { readonly code: ResponseCode; readonly diagnostic: string; readonly registration?: undefined };

export interface RegistrationServiceOptions {
  readonly store?: RegistrationStore;
  /** Absent: every client may register (no security). */
  readonly authorizer?: RegistrationAuthorizer;
  readonly clock?: Clock;
  readonly generateId?: IdGenerator;
  /** Extra time after lifetime before a registration is dropped (network latency). Default 0. */
  readonly expiryGraceMs?: number;
  /** How often expired registrations are swept. Default 1000 ms. */
  readonly expirySweepMs?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * How events are dispatched. Default: synchronously. A protocol adapter defers them so that
   * listeners (which may send requests at once) run after the response to the client went out.
   */
  readonly dispatchEvent?: (emit: () => void) => void;
}

export class RegistrationService {
  readonly events: TypedEmitter<RegistrationEvents>;
  readonly store: RegistrationStore;
  readonly #authorizer: RegistrationAuthorizer | undefined;
  readonly #clock: Clock;
  readonly #generateId: IdGenerator;
  readonly #graceMs: number;
  readonly #sweepMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #dispatch: (emit: () => void) => void;
  #sweepTimer: unknown;
  #running = false;

  constructor(options: RegistrationServiceOptions = {}) {
    this.store = options.store ?? new InMemoryRegistrationStore();
    this.#authorizer = options.authorizer;
    this.#clock = options.clock ?? systemClock;
    this.#generateId = options.generateId ?? randomId;
    this.#graceMs = options.expiryGraceMs ?? 0;
    this.#sweepMs = options.expirySweepMs ?? 1000;
    this.#onError = options.onError ?? (() => {});
    this.events = new TypedEmitter(this.#onError);
    this.#dispatch = options.dispatchEvent ?? ((emit) => emit());
  }

  #emit<K extends keyof RegistrationEvents>(name: K, event: RegistrationEvents[K]): void {
    this.#dispatch(() => this.events.emit(name, event));
  }

  async register(request: RegisterRequest, peer: ClientPeer): Promise<RegistrationResult> {
    const linkProblem = checkRegistrationLinks(request.objectLinks);
    if (linkProblem) return { code: ResponseCode.BAD_REQUEST, diagnostic: linkProblem };
    const denied = await this.#authorize(peer, request.endpoint);
    if (denied) return denied;
    const now = this.#clock.now();
    const registration: Registration = {
      id: this.#generateId(),
      endpoint: request.endpoint,
      lifetime: request.lifetime,
      lwm2mVersion: request.lwm2mVersion,
      binding: request.binding,
      queueMode: request.queueMode,
      ...(request.smsNumber !== undefined ? { smsNumber: request.smsNumber } : {}),
      peer,
      objectLinks: request.objectLinks,
      registeredAt: now,
      lastUpdate: now,
      ...(request.additionalAttributes ? { additionalAttributes: request.additionalAttributes } : {}),
    };
    const { previous } = await this.store.add(registration);
    if (previous) this.#emit('deregistered', { registration: previous, reason: 'replaced' });
    this.#emit('registered', previous ? { registration, previous } : { registration });
    return { code: ResponseCode.CREATED, registration };
  }

  async update(request: UpdateRequest, peer: ClientPeer): Promise<RegistrationResult> {
    const current = await this.store.getById(request.registrationId);
    if (!current) return { code: ResponseCode.NOT_FOUND, diagnostic: `no registration ${request.registrationId}` };
    if (!sameIdentity(current.peer.identity, peer.identity)) {
      return { code: ResponseCode.FORBIDDEN, diagnostic: 'Update from a different security identity than Register' };
    }
    if (request.objectLinks !== undefined) {
      const linkProblem = checkRegistrationLinks(request.objectLinks);
      if (linkProblem) return { code: ResponseCode.BAD_REQUEST, diagnostic: linkProblem };
    }
    const { registrationId: _, ...fields } = request;
    const result = await this.store.update(request.registrationId, { ...fields, peer, lastUpdate: this.#clock.now() });
    if (!result) return { code: ResponseCode.NOT_FOUND, diagnostic: `no registration ${request.registrationId}` };
    this.#emit('updated', {
      registration: result.updated,
      previous: result.previous,
      addressChanged: result.previous.peer.key !== result.updated.peer.key,
    });
    return { code: ResponseCode.CHANGED, registration: result.updated };
  }

  async deregister(registrationId: string, peer: ClientPeer): Promise<RegistrationResult> {
    const current = await this.store.getById(registrationId);
    if (!current) return { code: ResponseCode.NOT_FOUND, diagnostic: `no registration ${registrationId}` };
    if (!sameIdentity(current.peer.identity, peer.identity)) {
      return {
        code: ResponseCode.FORBIDDEN,
        diagnostic: 'De-register from a different security identity than Register',
      };
    }
    const removed = await this.store.remove(registrationId);
    if (!removed) return { code: ResponseCode.NOT_FOUND, diagnostic: `no registration ${registrationId}` };
    this.#emit('deregistered', { registration: removed, reason: 'deregistered' });
    return { code: ResponseCode.DELETED, registration: removed };
  }

  /** Removes every registration whose lifetime ended; emits `expired` for each. */
  async sweepExpired(): Promise<Registration[]> {
    const expired = await this.store.removeExpired(this.#clock.now(), this.#graceMs);
    for (const registration of expired) this.#emit('expired', { registration });
    return expired;
  }

  /** Starts the periodic expiry sweep. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#scheduleSweep();
  }

  stop(): void {
    this.#running = false;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #scheduleSweep(): void {
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.sweepExpired()
        .catch(this.#onError)
        .finally(() => {
          if (this.#running) this.#scheduleSweep();
        });
    }, this.#sweepMs);
  }

  async #authorize(peer: ClientPeer, endpoint: string): Promise<RegistrationResult | undefined> {
    if (!this.#authorizer) return undefined;
    const verdict = await this.#authorizer.authorizeRegistration(peer.identity, endpoint);
    return verdict.allowed ? undefined : { code: ResponseCode.FORBIDDEN, diagnostic: verdict.reason };
  }
}
