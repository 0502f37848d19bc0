/**
 * An LwM2M client: objects (enablers) served over CoAP Endpoints (the shared `transport`, or one
 * per account from the `transportFactory`), registered with every server account of objects
 * 0/1, bootstrapped when there is none (or registration fails), with observations, Send and
 * queue mode.
 */
import { type Clock, type Endpoint, systemClock } from '@lwm2m-ts/coap';
import { ContentFormat } from '@lwm2m-ts/codec';
import {
  createDefaultRegistry,
  type LwM2mNode,
  type LwM2mPath,
  NodeCodecRegistry,
  validateNode,
} from '@lwm2m-ts/objects';
import { checkDirectAccessRules } from './access/direct-access';
import { RequestRouter, serverKey, shortServerIdOf } from './access/request-router';
import { AccessControl } from './acl/access-control';
import { AttributeStore } from './attributes/attribute-store';
import type { NotificationAttributes } from './attributes/notification-attributes';
import { BootstrapClient } from './bootstrap/bootstrap-client';
import { ClientEventEmitter } from './client-events';
import type { LwM2mClientOptions, LwM2mVersion, ServerStatus } from './client-options';
import { ContentNegotiation } from './coap/content-negotiation';
import { DmHandler } from './coap/dm-handler';
import { type ClientControl, LOCAL } from './enabler/instance-enabler';
import { type PlainContent, toContent } from './enabler/plain-values';
import { ObservationManager } from './observe/observation-manager';
import { parsePathArg } from './path-arg';
import { QueueMode } from './queue/queue-mode';
import type { SleepGate } from './queue/sleep-gate';
import { AccountWatch } from './registration/account-watch';
import { Registrations } from './registration/registrations';
import { AccountConnections, type AccountOwner } from './security/account-connections';
import { openAccountEndpoint } from './security/account-endpoint';
import type { AccountTransport } from './security/account-security';
import { type SendOptions, sendData } from './send/send-operation';
import { readNode, toResourceNode } from './tree/node-reader';
import { ObjectTree } from './tree/object-tree';

export type { LwM2mClientOptions, LwM2mVersion, QueueModeOptions, ServerStatus } from './client-options';

export class LwM2mClient {
  readonly events = new ClientEventEmitter();
  readonly objects: ObjectTree;
  readonly lwm2mVersion: LwM2mVersion;
  readonly endpointName: string;
  private readonly clock: Clock;
  private readonly queue: QueueMode;
  private readonly shared: { endpoint: Endpoint; gate: SleepGate } | undefined;
  private readonly connections: AccountConnections;
  private readonly endpointOptions: LwM2mClientOptions['endpoint'];
  /** Direct-access peers' attributes are capped (LRU), never those of a peer observing now. */
  private readonly attributes = new AttributeStore({
    isDirect: (server) => shortServerIdOf(server) === undefined,
    observing: (server) => this.observations.observes(server),
  });
  private readonly observations: ObservationManager;
  private readonly negotiation: ContentNegotiation;
  private readonly dm: DmHandler;
  private readonly bootstrap: BootstrapClient;
  private readonly acl: AccessControl;
  private readonly router: RequestRouter;
  private readonly registrations: Registrations;
  private readonly accountWatch: AccountWatch;
  private readonly preferredFormat: number;
  private started = false;
  private bootstrapping: Promise<void> | undefined;
  private readonly usePack: boolean;

  constructor(options: LwM2mClientOptions) {
    this.endpointName = options.endpointName;
    this.lwm2mVersion = options.lwm2mVersion ?? '1.1';
    this.clock = options.clock ?? systemClock;
    this.queue = new QueueMode({
      clock: this.clock,
      events: this.events,
      options: options.queueMode === true ? {} : options.queueMode || undefined,
      maxTransmitWaitMs: () => this.anyEndpoint()?.times.maxTransmitWaitMs,
      park: () => void this.connections.park(),
      running: () => this.started,
    });
    if (options.directAccess) checkDirectAccessRules(options.directAccess);
    this.usePack = options.bootstrapPack === true;
    if (this.usePack && this.lwm2mVersion !== '1.2') throw new RangeError('Bootstrap-Pack needs LwM2M 1.2');
    const control: ClientControl = {
      triggerUpdate: (ssid) => void this.registrations.get(ssid)?.update({ forcePayload: true }),
      disableServer: (ssid, seconds) => void this.registrations.disable(ssid, seconds),
      requestBootstrap: () => void this.startBootstrap(),
      now: () => this.clock.now(),
      defer: (action) => void this.clock.setTimeout(action, 0),
    };
    const models = options.models ?? createDefaultRegistry();
    this.objects = new ObjectTree(models, control, this.lwm2mVersion);
    for (const def of options.objects) this.objects.add(def);
    const codecs = options.codecs ?? new NodeCodecRegistry();
    this.preferredFormat =
      options.defaultContentFormat ??
      (this.lwm2mVersion === '1.0' ? ContentFormat.LWM2M_TLV : ContentFormat.SENML_CBOR);
    this.negotiation = new ContentNegotiation(
      codecs,
      models.lookup((id) => this.objects.get(id)?.version),
      this.preferredFormat,
      ContentFormat.SENML_CBOR,
    );
    if (!options.transport && !options.transportFactory)
      throw new RangeError('an LwM2mClient needs a transport or a transportFactory');
    this.endpointOptions = options.endpoint;
    this.shared = options.transport ? this.open(undefined, { transport: options.transport }) : undefined;
    this.connections = new AccountConnections({
      tree: this.objects,
      factory: options.transportFactory,
      shared: this.shared,
      open: (owner, t) => this.open(owner, t),
    });
    this.observations = new ObservationManager({
      clock: this.clock,
      attributes: (server, path) => this.attributes.effective(server, path, this.defaults(server)),
      read: (path) => readNode(this.objects, path, LOCAL),
      notify: (t, con) => {
        const endpoint = this.router.endpointFor(t.server);
        if (!endpoint) return 0;
        this.queue.touch();
        return endpoint.notify(t.coapPath, {
          peer: t.peer,
          token: t.token,
          ...(con === undefined ? {} : { confirmable: con }),
        });
      },
      offline: (server) => {
        if (this.queue.asleep) return true;
        const ssid = shortServerIdOf(server);
        return ssid !== undefined && this.registrations.get(ssid)?.registered !== true;
      },
      storesNotifications: (server) => this.account(server)?.storeNotifications ?? true,
      ended: (t) => {
        try {
          (t.endpoint ?? this.router.endpointFor(t.server))?.endObservation(t.peer, t.token);
        } catch (error) {
          this.events.emit('error', { error, where: 'ending an observation' });
        }
      },
      serverIdle: (server) => {
        this.router.forgetDirect(server);
        // Its attributes stay (it may observe again) but become evictable: trim to the cap.
        this.attributes.trim();
      },
    });
    this.registrations = new Registrations({
      clock: this.clock,
      tree: this.objects,
      events: this.events,
      endpointName: this.endpointName,
      lwm2mVersion: this.lwm2mVersion,
      queueMode: this.queue.enabled,
      preferredContentFormat: this.preferredFormat,
      connect: (account) => this.connections.connect(account.shortServerId, account.securityInstanceId),
      beforeSend: () => this.queue.wake(),
      afterSuccess: () => {
        this.queue.touch();
        this.observations.flushQueued();
      },
      forgetObservations: (ssid) => this.observations.cancelServer(serverKey(ssid)),
      gaveUp: (account) => {
        // Bootstrap only when no other server is still registered: one unreachable server must
        // not tear down working registrations.
        const anyRegistered = this.registrations.all().some((s) => s.registered);
        if (account.bootstrapOnFailure && this.registrations.accounts.bootstrap && !anyRegistered)
          void this.startBootstrap();
      },
      bootstrapping: () => this.bootstrap.inProgress,
      release: (ssid) => void this.connections.release(ssid),
    });
    this.acl = new AccessControl(this.objects, () => this.registrations.accounts.servers.length);
    this.router = new RequestRouter({
      connections: this.connections,
      registrations: this.registrations,
      bootstrap: () => this.bootstrap,
      acl: this.acl,
      directAccess: options.directAccess ?? [],
      sharedEndpoint: () => this.shared?.endpoint,
      touch: () => this.queue.touch(),
      observing: (key) => this.observations.observes(key),
    });
    this.dm = new DmHandler({
      tree: this.objects,
      negotiation: this.negotiation,
      attributes: this.attributes,
      observations: this.observations,
      lwm2mVersion: this.lwm2mVersion,
      defaults: (server) => this.defaults(server),
      authorize: (caller, op, path) => this.router.authorize(caller, op, path),
      created: async (caller, path) => {
        const owner = this.router.ownerOf(caller);
        if (owner !== undefined) await this.acl.created(owner, path);
      },
      deleted: (path) => this.acl.deleted(path),
    });
    this.router.attach(this.dm);
    this.bootstrap = new BootstrapClient({
      clock: this.clock,
      tree: this.objects,
      negotiation: this.negotiation,
      endpointName: this.endpointName,
      lwm2mVersion: this.lwm2mVersion,
      preferredContentFormat: this.preferredFormat,
      timeoutMs: options.bootstrapTimeoutMs ?? 300_000,
      onServerInitiated: () => {
        this.registrations.stopAll();
        this.events.emit('bootstrapStarted', { initiatedBy: 'server' });
      },
      onFinished: () => {
        this.events.emit('bootstrapFinished', {});
        if (this.started) void this.afterBootstrap();
      },
      onFailed: (error) => this.events.emit('bootstrapFailed', { error }),
    });
    this.accountWatch = new AccountWatch({
      tree: this.objects,
      removed: (ssid) => this.forgetServer(ssid),
      added: () => void this.registrations.accountsAdded(),
      invalid: (error) => this.events.emit('error', { error, where: 'server account' }),
      onError: (error) => this.events.emit('error', { error, where: 'reading server accounts' }),
    });
    this.objects.listen({
      instancesChanged: (objectId) => {
        this.accountWatch.instancesChanged(objectId);
        if (objectId !== 0 && objectId !== 21) this.registrations.scheduleUpdate();
      },
      valuesChanged: (paths) => {
        this.accountWatch.valuesChanged(paths);
        this.observations.valuesChanged(paths);
        if (paths.some((p) => p.objectId === 1 || p.objectId === 0)) void this.registrations.refresh();
      },
    });
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * Registers with every server account (objects 0 and 1); without one, bootstraps first.
   * Resolves after the first Register attempt to each server (or once the Bootstrap-Request
   * was sent); retries, bootstrap and later registrations are reported as events.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.accountWatch.resync();
    const accounts = await this.registrations.readAccounts();
    // Requests from the bootstrap server are recognised before any Bootstrap-Request.
    if (accounts.bootstrap)
      await this.connections
        .connect('bootstrap', accounts.bootstrap.securityInstanceId)
        .catch((error: unknown) => this.events.emit('error', { error, where: 'bootstrap account transport' }));
    if (accounts.servers.length === 0) {
      if (!accounts.bootstrap) throw new Error('no LwM2M server and no bootstrap server account configured');
      await this.startBootstrap();
      return;
    }
    await this.registrations.registerAll();
  }

  /** De-registers from every server (unless `deregister: false`) and closes the endpoint. */
  async stop(options: { deregister?: boolean } = {}): Promise<void> {
    if (!this.started) {
      await this.connections.closeAll();
      await this.shared?.endpoint.close();
      return;
    }
    this.started = false;
    this.queue.stop();
    this.bootstrap.cancel();
    await this.registrations.close(options.deregister !== false);
    this.observations.close();
    await this.connections.closeAll();
    await this.shared?.endpoint.close();
  }

  /**
   * The client's shared endpoint (over `transport`); with only a `transportFactory`, the endpoint
   * of the first connected account.
   */
  get endpoint(): Endpoint {
    const e = this.anyEndpoint();
    if (!e) throw new Error('no endpoint yet: no account is connected');
    return e;
  }

  private anyEndpoint(): Endpoint | undefined {
    return this.shared?.endpoint ?? this.connections.all()[0]?.endpoint;
  }

  // ---- device side --------------------------------------------------------------------------

  /** Tells the client values at or below `path` changed: observers are notified per their attributes. */
  valueChanged(...paths: (string | LwM2mPath)[]): void {
    this.objects.valuesChanged(paths.map(parsePathArg));
  }

  /** Reads a node from the device side (no permission checks): object, instance or resource. */
  read(path: string | LwM2mPath): Promise<LwM2mNode> {
    return readNode(this.objects, parsePathArg(path), LOCAL);
  }

  /**
   * Sets a resource from the device side (interactive commands, simulators): the value is typed
   * and checked against the model, stored through the instance's enabler, and observers are told.
   */
  async setValue(path: string | LwM2mPath, value: PlainContent): Promise<void> {
    const p = parsePathArg(path);
    if (!p.isResource()) throw new RangeError(`setValue needs a resource path, got ${p}`);
    const object = this.objects.get(p.objectId!);
    const instance = object?.instance(p.objectInstanceId!);
    const model = object?.model.resources.get(p.resourceId!);
    if (!object || !instance || !model) throw new RangeError(`${p} does not exist on this client`);
    const content = toContent(model, value);
    const node = toResourceNode(object.model, p.resourceId!, content);
    const problem = validateNode(object.model, p, node, 'bootstrap-write')[0];
    if (problem) throw new RangeError(problem.message);
    await instance.write(p.resourceId!, content, { requester: LOCAL, replace: true });
    this.objects.valuesChanged([p]);
  }

  /** Sends an Update to one server (or all) now, with the object links. */
  async triggerUpdate(shortServerId?: number): Promise<void> {
    const targets = shortServerId === undefined ? this.registrations.all() : [this.registrations.get(shortServerId)];
    await Promise.all(targets.map((s) => s?.update({ forcePayload: true })));
  }

  /** The device's address changed (new IP, NAT rebinding): Update every registration. */
  async addressChanged(): Promise<void> {
    await Promise.all(this.registrations.all().map((s) => s.update()));
  }

  /** Send (`POST /dp`, LwM2M 1.1+) of the values at `paths` to a server (default: the only or first one). */
  async send(paths: readonly (string | LwM2mPath)[], options: SendOptions = {}): Promise<void> {
    const session =
      options.shortServerId !== undefined
        ? this.registrations.get(options.shortServerId)
        : this.registrations.all().find((s) => s.registered);
    if (!session?.registered || !session.peer) throw new Error('Send needs a registered server');
    this.queue.wake();
    await sendData(
      {
        tree: this.objects,
        endpoint: session.connection!.endpoint,
        negotiation: this.negotiation,
        lwm2mVersion: this.lwm2mVersion,
      },
      session.account,
      session.peer,
      paths.map(parsePathArg),
      options,
    );
    this.queue.touch();
  }

  /** Registration state per server. */
  servers(): ServerStatus[] {
    return this.registrations.all().map((s) => ({
      shortServerId: s.shortServerId,
      uri: s.account.uri,
      registered: s.registered,
      location: s.registrationLocation,
    }));
  }

  /** Observations the servers hold on this client. */
  observationsList(): { server: string; coapPath: string }[] {
    return this.observations.list().map(({ server, coapPath }) => ({ server, coapPath }));
  }

  // ---- queue mode ---------------------------------------------------------------------------

  get sleeping(): boolean {
    return this.queue.asleep;
  }

  /**
   * Queue mode: stop answering now. The transport stays open; sessions (DTLS) are disconnected
   * but kept resumable, so the next Update resumes them with an abbreviated handshake.
   */
  sleep(): void {
    this.queue.sleep();
  }

  /** Wakes up (answers again) and sends an Update so the server delivers what it queued. */
  async wakeAndUpdate(): Promise<void> {
    this.queue.wake();
    await Promise.all(this.registrations.all().map((s) => s.update()));
  }

  // ---- internals ----------------------------------------------------------------------------

  /** An Endpoint over `t` whose requests are served as coming from `owner` (undefined: shared, by peer). */
  private open(owner: AccountOwner | undefined, account: AccountTransport): { endpoint: Endpoint; gate: SleepGate } {
    return openAccountEndpoint({
      account,
      sleepState: this.queue.state,
      clock: this.clock,
      endpoint: this.endpointOptions,
      serve: (req, endpoint) => this.router.serve(req, owner, endpoint),
      onError: (error, where) => this.events.emit('error', { error, where }),
    });
  }

  private account(server: string) {
    const ssid = shortServerIdOf(server);
    return this.registrations.accounts.servers.find((s) => s.shortServerId === ssid);
  }

  private defaults(server: string): NotificationAttributes {
    const a = this.account(server);
    return {
      ...(a?.defaultPmin !== undefined ? { pmin: a.defaultPmin } : {}),
      ...(a?.defaultPmax !== undefined ? { pmax: a.defaultPmax } : {}),
    };
  }

  /**
   * A server account was removed (its Server or Security instance deleted or replaced, or its
   * Short Server ID changed): its registration ends (De-register, best effort; no more
   * Updates; its connection closed), its observations end, with the notifications stored for
   * them (hqmax / Notification Storing), and its notification attributes are dropped, so a new
   * account with the same Short Server ID starts from the Server object's defaults.
   */
  private forgetServer(ssid: number): void {
    this.registrations.remove(ssid);
    const key = serverKey(ssid);
    this.observations.cancelServer(key);
    this.attributes.removeServer(key);
  }

  /** After Bootstrap-Finish: drop connections of removed accounts, register with the new ones. */
  private async afterBootstrap(): Promise<void> {
    const accounts = await this.registrations.readAccounts();
    const keep = new Set<AccountOwner>(accounts.servers.map((a) => a.shortServerId));
    if (accounts.bootstrap) keep.add('bootstrap');
    await this.connections.prune(keep);
    if (this.started) await this.registrations.registerAll();
  }

  private startBootstrap(): Promise<void> {
    if (this.bootstrapping) return this.bootstrapping;
    const account = this.registrations.accounts.bootstrap;
    if (!account) return Promise.resolve();
    this.registrations.stopAll();
    this.bootstrapping = (async () => {
      try {
        if (account.holdOff > 0)
          await new Promise((r) => this.clock.setTimeout(() => r(undefined), account.holdOff * 1000));
        if (!this.started) return;
        const target = await this.connections.connect('bootstrap', account.securityInstanceId);
        this.events.emit('bootstrapStarted', { initiatedBy: 'client' });
        this.queue.wake();
        if (this.usePack) await this.bootstrap.requestPack(target);
        else await this.bootstrap.request(target);
      } catch (e) {
        this.events.emit('bootstrapFailed', { error: e instanceof Error ? e : new Error(String(e)) });
      } finally {
        this.bootstrapping = undefined;
      }
    })();
    return this.bootstrapping;
  }
}
