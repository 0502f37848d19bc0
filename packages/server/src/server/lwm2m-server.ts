/**
 * The LwM2M server core: registrations, the typed downlink API, observations, Send, queue mode.
 * Protocol-free: it talks to clients through a `DownlinkSender` and receives uplink traffic from
 * an adapter (the CoAP one is `createLwM2mServer` in ../coap).
 */
import type { LwM2mNode, ObjectInstance } from '@lwm2m-ts/objects';
import { type Clock, systemClock } from '../core/clock';
import { RequestTimeoutError } from '../core/errors/request-timeout-error';
import { UnknownEndpointError } from '../core/errors/unknown-endpoint-error';
import { TypedEmitter } from '../core/event-emitter';
import { type IdGenerator, randomId } from '../core/id-generator';
import type { ClientPeer } from '../core/peer';
import type { ObservationInfo } from '../observation/observation';
import { type CancelMode, Observation } from '../observation/observation-handle';
import { ObservationService } from '../observation/observation-service';
import { InMemoryObservationStore, type ObservationStore } from '../observation/observation-store';
import { PresenceService } from '../queue/presence-service';
import { QueueService } from '../queue/queue-service';
import { InMemoryRequestQueueStore, type QueuedRequest, type RequestQueueStore } from '../queue/request-queue';
import type { Registration } from '../registration/registration';
import { RegistrationService, type RegistrationServiceOptions } from '../registration/registration-service';
import type {
  ContentFormatId,
  DeviceManagementRequest,
  ExecuteArgument,
  NotificationAttributes,
  PathInput,
} from '../request/downlink-requests';
import type { ObserveCompositeResponse, ObserveResponse, ResponseByKind } from '../request/downlink-responses';
import { InvalidRequestError, pathFor, toPath } from '../request/request-builders';
import type { DownlinkSender } from './downlink-sender';
import { RecentRegistrations } from './recent-registrations';
import type { ServerEvents } from './server-events';

export interface RequestOptions {
  /** Response timeout (default: the sender's, i.e. CoAP EXCHANGE_LIFETIME-ish). */
  readonly timeoutMs?: number;
  /** Queue mode: how long the request may wait for a sleeping client (default `queueTtlMs`). */
  readonly ttlMs?: number;
}
export interface FormatOptions extends RequestOptions {
  readonly format?: ContentFormatId;
}

export interface LwM2mServerOptions extends Omit<RegistrationServiceOptions, 'clock' | 'generateId' | 'onError'> {
  readonly sender: DownlinkSender;
  readonly clock?: Clock;
  readonly generateId?: IdGenerator;
  readonly observationStore?: ObservationStore;
  readonly queueStore?: RequestQueueStore;
  /** Queue mode awake window after client activity. Default 93 000 ms (MAX_TRANSMIT_WAIT). */
  readonly awakeTimeMs?: number;
  /** Default TTL of a queued request. Default 24 h. */
  readonly queueTtlMs?: number;
  /** Buffered notifications per observation stream. Default 256. */
  readonly notificationBuffer?: number;
  /**
   * How long a registration looked up for a notification (the queue-mode check) is reused
   * before the store is asked again. Local registration changes apply at once; this bounds how
   * late a change made through a shared store by another node is seen. 0: ask the store for
   * every notification. Default 1000 ms.
   */
  readonly registrationCacheMs?: number;
}

const ALL_BUT_ROOT = ['object', 'object-instance', 'resource', 'resource-instance'] as const;

export class LwM2mServer {
  readonly events: TypedEmitter<ServerEvents>;
  readonly registrations: RegistrationService;
  readonly observations: ObservationService;
  readonly queue: Pick<QueueService, 'list' | 'cancel'>;
  readonly #queue: QueueService;
  readonly #presence: PresenceService;
  readonly #sender: DownlinkSender;
  readonly #clock: Clock;
  /** peer key -> registration id, for uplink traffic that names no registration (Send). */
  readonly #byPeer = new Map<string, string>();
  readonly #sweepMs: number;
  /** Registrations by id for the notification path (see `registrationCacheMs`). */
  readonly #recent: RecentRegistrations;
  #queueSweep: unknown;

  constructor(options: LwM2mServerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#sweepMs = options.expirySweepMs ?? 1000;
    this.#recent = new RecentRegistrations(this.#clock, options.registrationCacheMs ?? 1000);
    const generateId = options.generateId ?? randomId;
    // A throwing 'error' listener must not re-enter the error path.
    let reporting = false;
    const onError = (error: unknown) => {
      if (reporting) return;
      reporting = true;
      try {
        this.events.emit('error', { error });
      } finally {
        reporting = false;
      }
    };
    this.events = new TypedEmitter<ServerEvents>(onError);
    this.registrations = new RegistrationService({ ...options, clock: this.#clock, generateId, onError });
    this.#sender = options.sender;
    this.observations = new ObservationService(
      options.observationStore ?? new InMemoryObservationStore(),
      this.events,
      this.#clock,
      options.notificationBuffer,
    );
    this.#presence = new PresenceService(this.#clock, options.awakeTimeMs ?? 93_000, {
      onAwake: (endpoint) => this.#presenceEvent('awake', endpoint),
      onSleeping: (endpoint) => this.#presenceEvent('sleeping', endpoint),
    });
    this.#queue = new QueueService({
      store: options.queueStore ?? new InMemoryRequestQueueStore(),
      presence: this.#presence,
      clock: this.#clock,
      generateId,
      events: this.events,
      defaultTtlMs: options.queueTtlMs ?? 86_400_000,
      sendNow: (registration, request, timeoutMs) => this.#sendNow(registration, request, timeoutMs),
      getRegistration: (endpoint) => this.registrations.store.getByEndpoint(endpoint),
    });
    this.queue = { list: (ep) => this.#queue.list(ep), cancel: (id) => this.#queue.cancel(id) };
    this.#wireRegistrationEvents();
  }

  /** Starts housekeeping: registration expiry and queued-request TTLs (every `expirySweepMs`). */
  start(): void {
    this.registrations.start();
    if (this.#queueSweep !== undefined) return;
    const schedule = () => {
      this.#queueSweep = this.#clock.setTimeout(() => {
        this.#queue
          .sweepExpired()
          .catch((error) => this.events.emit('error', { error }))
          .finally(() => {
            if (this.#queueSweep !== undefined) schedule();
          });
      }, this.#sweepMs);
    };
    schedule();
  }

  stop(): void {
    if (this.#queueSweep !== undefined) this.#clock.clearTimeout(this.#queueSweep);
    this.#queueSweep = undefined;
    this.registrations.stop();
    this.#presence.stop();
    this.observations.stop();
  }

  // ---- lookups ----------------------------------------------------------------------------

  getRegistration(endpoint: string): Promise<Registration | undefined> {
    return this.registrations.store.getByEndpoint(endpoint);
  }
  getRegistrationById(id: string): Promise<Registration | undefined> {
    return this.registrations.store.getById(id);
  }
  listRegistrations(): Promise<Registration[]> {
    return this.registrations.store.list();
  }
  /** The registration a peer (address + port) currently belongs to, from this server's view. */
  async registrationOfPeer(peer: ClientPeer): Promise<Registration | undefined> {
    const id = this.#byPeer.get(peer.key);
    return id !== undefined ? this.registrations.store.getById(id) : undefined;
  }
  /** Observations of an endpoint's current registration. */
  async listObservations(endpoint: string): Promise<ObservationInfo[]> {
    const registration = await this.getRegistration(endpoint);
    return registration ? this.observations.store.listByRegistration(registration.id) : [];
  }
  /** Queue mode: true when the client is registered in queue mode and not known to be awake. */
  isSleeping(registration: Registration): boolean {
    return registration.queueMode && !this.#presence.isAwake(registration.endpoint);
  }

  // ---- downlink API -----------------------------------------------------------------------

  read(endpoint: string, path: PathInput, options: FormatOptions = {}): Promise<ResponseByKind['read']> {
    const p = pathFor('Read', path, ALL_BUT_ROOT);
    return this.#request(endpoint, { kind: 'read', path: p, ...fmt(options.format) }, options);
  }

  write(
    endpoint: string,
    path: PathInput,
    node: LwM2mNode,
    options: FormatOptions & { mode?: 'replace' | 'update' } = {},
  ): Promise<ResponseByKind['write']> {
    const p = pathFor('Write', path, ['object-instance', 'resource', 'resource-instance']);
    const mode = options.mode ?? 'replace';
    if (mode === 'update' && p.level !== 'object-instance' && p.level !== 'resource') {
      throw new InvalidRequestError(
        'a partial update (mode "update") targets an object instance or a multiple resource',
      );
    }
    return this.#request(endpoint, { kind: 'write', path: p, mode, node, ...fmt(options.format) }, options);
  }

  execute(
    endpoint: string,
    path: PathInput,
    options: RequestOptions & { arguments?: readonly ExecuteArgument[] } = {},
  ): Promise<ResponseByKind['execute']> {
    const p = pathFor('Execute', path, ['resource']);
    const args = options.arguments ? { arguments: options.arguments } : {};
    return this.#request(endpoint, { kind: 'execute', path: p, ...args }, options);
  }

  /** Creates `instance` under object `path`; with `clientChoosesId` its id is not sent. */
  create(
    endpoint: string,
    path: PathInput,
    instance: ObjectInstance,
    options: FormatOptions & { clientChoosesId?: boolean } = {},
  ): Promise<ResponseByKind['create']> {
    const p = pathFor('Create', path, ['object']);
    const request = {
      kind: 'create' as const,
      path: p,
      instances: [instance],
      clientChoosesId: options.clientChoosesId ?? false,
      ...fmt(options.format),
    };
    return this.#request(endpoint, request, options);
  }

  delete(endpoint: string, path: PathInput, options: RequestOptions = {}): Promise<ResponseByKind['delete']> {
    const p = pathFor('Delete', path, ['object-instance', 'resource-instance']);
    return this.#request(endpoint, { kind: 'delete', path: p }, options);
  }

  discover(
    endpoint: string,
    path: PathInput,
    options: RequestOptions & { depth?: number } = {},
  ): Promise<ResponseByKind['discover']> {
    const p = pathFor('Discover', path, ['object', 'object-instance', 'resource']);
    if (options.depth !== undefined && (!Number.isInteger(options.depth) || options.depth < 0 || options.depth > 3)) {
      throw new InvalidRequestError(`discover depth must be 0..3, got ${options.depth}`);
    }
    const depth = options.depth !== undefined ? { depth: options.depth } : {};
    return this.#request(endpoint, { kind: 'discover', path: p, ...depth }, options);
  }

  writeAttributes(
    endpoint: string,
    path: PathInput,
    attributes: NotificationAttributes,
    options: RequestOptions = {},
  ): Promise<ResponseByKind['write-attributes']> {
    const p = pathFor('Write-Attributes', path, ALL_BUT_ROOT);
    return this.#request(endpoint, { kind: 'write-attributes', path: p, attributes }, options);
  }

  readComposite(
    endpoint: string,
    paths: readonly PathInput[],
    options: RequestOptions & { requestFormat?: ContentFormatId; responseFormat?: ContentFormatId } = {},
  ): Promise<ResponseByKind['read-composite']> {
    const request = { kind: 'read-composite' as const, paths: compositePaths(paths), ...compositeFormats(options) };
    return this.#request(endpoint, request, options);
  }

  writeComposite(
    endpoint: string,
    nodes: ReadonlyMap<string, LwM2mNode> | Readonly<Record<string, LwM2mNode>>,
    options: FormatOptions = {},
  ): Promise<ResponseByKind['write-composite']> {
    const entries = nodes instanceof Map ? [...nodes] : Object.entries(nodes);
    if (entries.length === 0) throw new InvalidRequestError('Write-Composite needs at least one node');
    const normalized = new Map<string, LwM2mNode>();
    for (const [path, node] of entries) {
      const p = pathFor('Write-Composite', path, ['resource', 'resource-instance']);
      normalized.set(p.toString(), node);
    }
    return this.#request(endpoint, { kind: 'write-composite', nodes: normalized, ...fmt(options.format) }, options);
  }

  async observe(endpoint: string, path: PathInput, options: FormatOptions = {}): Promise<Observation<ObserveResponse>> {
    const p = pathFor('Observe', path, ALL_BUT_ROOT);
    const response = await this.#request(endpoint, { kind: 'observe', path: p, ...fmt(options.format) }, options);
    return this.#observationHandle(response);
  }

  async observeComposite(
    endpoint: string,
    paths: readonly PathInput[],
    options: RequestOptions & { requestFormat?: ContentFormatId; responseFormat?: ContentFormatId } = {},
  ): Promise<Observation<ObserveCompositeResponse>> {
    const request = { kind: 'observe-composite' as const, paths: compositePaths(paths), ...compositeFormats(options) };
    const response = await this.#request(endpoint, request, options);
    return this.#observationHandle(response);
  }

  /** Cancels an observation by id (see `Observation.cancel` for the modes). False when unknown. */
  async cancelObservation(
    observationId: string,
    mode: CancelMode = 'passive',
    options: RequestOptions = {},
  ): Promise<boolean> {
    const info = await this.observations.store.get(observationId);
    if (!info) return false;
    await this.#cancel(info, mode, options);
    return true;
  }

  // ---- uplink hooks used by protocol adapters -----------------------------------------------

  /** Any traffic from a registered client: it is awake (queue mode). */
  async noteActivity(registration: Registration): Promise<void> {
    if (!registration.queueMode) return;
    this.#presence.touch(registration.endpoint);
    await this.#queue.drain(registration.endpoint);
  }

  /** Send (`POST /dp`) from a registered client, already decoded. */
  async handleSend(registration: Registration, content: ReadonlyMap<string, LwM2mNode>): Promise<void> {
    this.events.emit('send', { registration, content, receivedAt: this.#clock.now() });
    await this.noteActivity(registration);
  }

  /** Housekeeping that timers also run: expired registrations and queued requests. */
  async sweep(): Promise<void> {
    await this.registrations.sweepExpired();
    await this.#queue.sweepExpired();
  }

  // ---- internals ----------------------------------------------------------------------------

  async #request<R extends DeviceManagementRequest>(
    endpoint: string,
    request: R,
    options: RequestOptions,
  ): Promise<ResponseByKind[R['kind']]> {
    const registration = await this.registrations.store.getByEndpoint(endpoint);
    if (!registration) throw new UnknownEndpointError(endpoint);
    if (this.isSleeping(registration)) return this.#queue.enqueueAndThrow(registration, request, options);
    return this.#sendNow(registration, request, options.timeoutMs) as Promise<ResponseByKind[R['kind']]>;
  }

  async #sendNow<R extends DeviceManagementRequest>(
    registration: Registration,
    request: R,
    timeoutMs: number | undefined,
  ): Promise<ResponseByKind[R['kind']]> {
    try {
      const response = await this.#sender.send(
        {
          endpoint: registration.endpoint,
          peer: registration.peer,
          registrationId: registration.id,
          lwm2mVersion: registration.lwm2mVersion,
          objectLinks: registration.objectLinks,
        },
        request,
        timeoutMs !== undefined ? { timeoutMs } : {},
      );
      if (registration.queueMode) this.#presence.touch(registration.endpoint);
      return response;
    } catch (error) {
      if (registration.queueMode && RequestTimeoutError.isInstance(error)) this.#presence.sleep(registration.endpoint);
      throw error;
    }
  }

  async #observationHandle<R extends ObserveResponse | ObserveCompositeResponse>(response: R): Promise<Observation<R>> {
    const info = response.isSuccess() ? response.observation : undefined;
    // An adapter may have registered the observation already (so no early notification is lost).
    const stream = info
      ? (this.observations.stream(info.id) ?? (await this.observations.established(info)))
      : undefined;
    return new Observation(response, info, stream, (i, mode) => this.#cancel(i, mode, {}));
  }

  async #cancel(info: ObservationInfo, mode: CancelMode, options: RequestOptions): Promise<void> {
    try {
      if (mode === 'active') {
        const registration = await this.registrations.store.getById(info.registrationId);
        if (registration && !this.isSleeping(registration)) {
          await this.#sendNow(registration, { kind: 'cancel-observation', observation: info }, options.timeoutMs);
        }
      }
    } finally {
      await this.observations.remove(info.id, mode);
      this.#sender.forgetObservation?.(info.id);
    }
  }

  #presenceEvent(name: 'awake' | 'sleeping', endpoint: string): void {
    this.registrations.store
      .getByEndpoint(endpoint)
      .then((registration) => {
        if (registration) this.events.emit(name, { registration });
      })
      .catch((error) => this.events.emit('error', { error }));
  }

  #wireRegistrationEvents(): void {
    const r = this.registrations.events;
    const fail = (error: unknown) => this.events.emit('error', { error });
    r.on('registered', (event) => {
      this.#recent.set(event.registration);
      this.#byPeer.set(event.registration.peer.key, event.registration.id);
      this.events.emit('registered', event);
      this.noteActivity(event.registration).catch(fail);
    });
    // A notification proves a queue-mode client awake. Most clients are not in queue mode, so a
    // recently seen registration answers without a store round trip (and without a promise).
    this.events.on('notification', ({ observation }) => {
      const recent = this.#recent.get(observation.registrationId);
      if (recent !== undefined) {
        if (recent.queueMode) this.noteActivity(recent).catch(fail);
        return;
      }
      const changes = this.#recent.changes;
      this.registrations.store
        .getById(observation.registrationId)
        .then((registration) => {
          if (!registration) return;
          this.#recent.offer(registration, changes);
          return this.noteActivity(registration);
        })
        .catch(fail);
    });
    r.on('updated', (event) => {
      this.#recent.set(event.registration);
      if (event.addressChanged) this.#byPeer.delete(event.previous.peer.key);
      this.#byPeer.set(event.registration.peer.key, event.registration.id);
      this.events.emit('updated', event);
      this.noteActivity(event.registration).catch(fail);
    });
    const ended = (registration: Registration, keepQueue: boolean) => {
      this.#recent.delete(registration.id);
      if (this.#byPeer.get(registration.peer.key) === registration.id) this.#byPeer.delete(registration.peer.key);
      this.#presence.forget(registration.endpoint);
      this.observations.removeByRegistration(registration.id).catch(fail);
      if (!keepQueue) this.#queue.dropAll(registration.endpoint).catch(fail);
    };
    r.on('deregistered', (event) => {
      // A replaced registration keeps its endpoint's queue: the new registration delivers it.
      ended(event.registration, event.reason === 'replaced');
      this.events.emit('deregistered', event);
    });
    r.on('expired', (event) => {
      ended(event.registration, false);
      this.events.emit('expired', event);
    });
  }
}

const fmt = (format: ContentFormatId | undefined) => (format !== undefined ? { format } : {});

function compositePaths(paths: readonly PathInput[]) {
  if (paths.length === 0) throw new InvalidRequestError('a composite operation needs at least one path');
  return paths.map(toPath);
}

function compositeFormats(options: { requestFormat?: ContentFormatId; responseFormat?: ContentFormatId }) {
  return {
    ...(options.requestFormat !== undefined ? { requestFormat: options.requestFormat } : {}),
    ...(options.responseFormat !== undefined ? { responseFormat: options.responseFormat } : {}),
  };
}

export type { QueuedRequest };
