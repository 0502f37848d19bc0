/**
 * One simulated LwM2M device: its own UDP socket, an LwM2mClient with simulated objects, and
 * what a real device does on Reboot / Factory Reset (de-register, restart, register again).
 */
import {
  type LwM2mClient as Client,
  LwM2mClient,
  type LwM2mVersion,
  type ObjectDefinition,
  serverInstance,
} from '@lwm2m-ts/client';
import { type OptionRegistry, parseCoapUri } from '@lwm2m-ts/codec';
import type { ModelRegistry, NodeCodecRegistry } from '@lwm2m-ts/objects';
import { loadOscoreContextFile, type SecurityContext } from '@lwm2m-ts/oscore';
import { CountingTransport, type TrafficCounters } from './counting-transport';
import { buildDeviceObjects, type DeviceObjects } from './objects/catalog';
import type { RandomSource } from './objects/simulated-instance';
import type { DeviceCredentials, PskCredentials } from './security/credentials';
import {
  type DeviceTransport,
  isSimulatedScheme,
  openDeviceTransport,
  type SimulatedScheme,
  securityObjects,
} from './security/device-transport';

const DEDUP_RECORDS = 256;

/** A DTLS / TLS / OSCORE refusal that retrying cannot fix: what to check, else undefined. */
function credentialsRefused(error: Error): string | undefined {
  const text = `${error.message} ${error.cause instanceof Error ? error.cause.message : ''}`;
  if (/OSCORE/.test(text))
    return 'the server refused the OSCORE request: check --oscore-context (both sides must hold matching contexts)';
  if (/untrusted|unable to verify|self[- ]signed|certificate has expired|altnames|Hostname\/IP/i.test(text))
    return "the server's key or certificate is not trusted: check --server-rpk or --ca";
  if (/fatal alert|handshake|certificate|unknown_psk|unknownPsk|SSL|TLS alert/i.test(text))
    return 'the server refused the handshake: check the credentials (--psk-identity/--psk-key, --rpk or --cert/--key/--ca)';
  return undefined;
}

/** How long stop() waits for a Register in flight before closing anyway (ms). */
const STOP_GRACE_MS = 500;

export type DeviceState = 'idle' | 'registering' | 'registered' | 'failed' | 'deregistered' | 'rebooting' | 'stopped';

export interface SimulatorLog {
  /** Routine device events (registered, sleeping, ...): a fleet hides them unless verbose. */
  info(message: string): void;
  warn(message: string): void;
  /** Rare events a user must see even in a fleet: reboot and factory reset. */
  notice(message: string): void;
}

export const silentLog: SimulatorLog = { info: () => {}, warn: () => {}, notice: () => {} };

export interface DeviceConfig {
  readonly endpointName: string;
  /** LwM2M server URI (direct registration); ignored when `bootstrapUri` is set. */
  readonly serverUri: string;
  /** Bootstrap server URI: the device bootstraps and registers where it is told. */
  readonly bootstrapUri?: string;
  readonly lifetime: number;
  readonly queueMode: boolean;
  /** Queue mode: how long the device stays awake after an exchange (ms). */
  readonly awakeTimeMs?: number;
  readonly objectIds: readonly number[];
  readonly lwm2mVersion: LwM2mVersion;
  readonly random: RandomSource;
  readonly now: () => number;
  readonly log: SimulatorLog;
  readonly counters: TrafficCounters;
  /** Local address to bind (default: any address of the server's family). */
  readonly bindHost?: string;
  /** SO_RCVBUF / SO_SNDBUF per socket (bytes). */
  readonly socketBufferSize?: number;
  /** How long a reboot takes between de-registering and registering again (ms). */
  readonly rebootDelayMs: number;
  /** Object models and codecs, shared by a fleet (building them per device costs ~1 MB and milliseconds). */
  readonly models?: ModelRegistry;
  readonly codecs?: NodeCodecRegistry;
  readonly optionRegistry?: OptionRegistry;
  /** Credentials for coaps, coaps+tcp and OSCORE (checked against the scheme by the caller). */
  readonly credentials?: DeviceCredentials;
  /** This device's PSK (in a fleet the identity carries the endpoint's suffix). */
  readonly psk?: PskCredentials;
  /** Called on every state change (the fleet keeps its counts with it). */
  readonly onState?: (device: SimulatedDevice, previous: DeviceState) => void;
}

export class SimulatedDevice {
  state: DeviceState = 'idle';
  client: Client | undefined;
  objects: DeviceObjects;
  /** Time from start to the first registration (ms), once registered. */
  registrationMs: number | undefined;
  lastError: Error | undefined;
  private startedAt = 0;
  private settled: Array<() => void> = [];
  private restarting: Promise<void> | undefined;
  private oscoreContext: SecurityContext | undefined;
  /** Security (0), Server (1) and OSCORE (21) objects of the running client. */
  accounts: readonly ObjectDefinition[] = [];
  /** The open transport (DTLS sessions are suspended while the device sleeps). */
  transport: DeviceTransport | undefined;

  constructor(readonly config: DeviceConfig) {
    this.objects = this.buildObjects();
  }

  get name(): string {
    return this.config.endpointName;
  }

  /** The transport scheme, from the bootstrap (else the server) URI. */
  get scheme(): SimulatedScheme {
    const scheme = parseCoapUri(this.config.bootstrapUri ?? this.config.serverUri).scheme;
    if (!isSimulatedScheme(scheme)) throw new Error(`${scheme}:// is not simulated`);
    return scheme;
  }

  /** Opens the socket and starts registering (or bootstrapping); resolves once the socket is bound. */
  async start(): Promise<void> {
    if (this.state === 'stopped') throw new Error(`${this.name} is stopped`);
    if (this.client) return;
    this.startedAt = this.config.now();
    this.setState('registering');
    const c = this.config;
    let opened: DeviceTransport;
    try {
      const target = parseCoapUri(c.bootstrapUri ?? c.serverUri);
      opened = await openDeviceTransport({
        scheme: this.scheme,
        host: target.host,
        credentials: c.credentials ?? {},
        ...(c.psk ? { psk: c.psk } : {}),
        oscoreContext: () => {
          // One context per device for its whole life: a reboot must not restart the sequence numbers.
          const file = c.credentials?.oscore?.file;
          if (file === undefined) throw new Error('no OSCORE context configured');
          this.oscoreContext ??= loadOscoreContextFile(file);
          return this.oscoreContext;
        },
        ...(c.bindHost !== undefined ? { bindHost: c.bindHost } : {}),
        ...(c.socketBufferSize !== undefined ? { socketBufferSize: c.socketBufferSize } : {}),
      });
    } catch (e) {
      this.fail(e);
      return;
    }
    if ((this.state as DeviceState) === 'stopped') {
      // stop() came while the socket was binding.
      await opened.transport.close();
      return;
    }
    this.transport = opened;
    this.accounts = this.accountObjects();
    const client = new LwM2mClient({
      endpointName: this.name,
      transport: new CountingTransport(opened.transport, c.counters),
      lwm2mVersion: c.lwm2mVersion,
      ...(c.models ? { models: c.models } : {}),
      ...(c.codecs ? { codecs: c.codecs } : {}),
      objects: [...this.accounts, ...this.objects.definitions],
      // A device talks to one or two servers: a small deduplication window is plenty (the
      // default of 20 000 records costs megabytes per socket, too much for a fleet).
      endpoint: {
        dedupCapacity: DEDUP_RECORDS,
        ...(c.optionRegistry ? { optionRegistry: c.optionRegistry } : {}),
        ...(opened.layers.length > 0 ? { layers: opened.layers } : {}),
      },
      ...(c.queueMode ? { queueMode: c.awakeTimeMs === undefined ? true : { awakeTimeMs: c.awakeTimeMs } } : {}),
    });
    this.client = client;
    this.listen(client);
    client.start().catch((e: unknown) => {
      if (this.client === client) this.fail(e);
    });
  }

  /** Resolves when the device is registered, failed, de-registered or stopped. */
  whenSettled(): Promise<void> {
    if (this.state !== 'registering' && this.state !== 'rebooting' && this.state !== 'idle') return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }

  /** Moves every simulated value on (called by the simulator's shared ticker). */
  tick(dtSeconds: number): void {
    if (!this.client) return;
    for (const t of this.objects.tickables) t.tick(dtSeconds, this.config.random);
  }

  /** Sends a registration Update now (with the object links). */
  async update(): Promise<void> {
    const client = this.requireRegistered('update');
    await client.triggerUpdate();
  }

  /** Queue mode: stop answering until `wake`. */
  sleep(): void {
    if (!this.config.queueMode) throw new Error('sleep needs queue mode: start the simulator with --queue');
    this.requireRegistered('sleep').sleep();
  }

  /** Queue mode: wake up and send an Update so the server delivers what it queued. */
  async wake(): Promise<void> {
    if (!this.config.queueMode) throw new Error('wake needs queue mode: start the simulator with --queue');
    await this.requireRegistered('wake').wakeAndUpdate();
  }

  /** LwM2M Send of the values at `paths` to the server. */
  async send(paths: readonly string[]): Promise<void> {
    await this.requireRegistered('send').send(paths);
  }

  /** De-registers and closes the socket; `register` starts again. */
  async deregister(): Promise<void> {
    if (!this.client) throw new Error(`${this.name} is not registered (state ${this.state})`);
    await this.shutdownClient(true);
    this.setState('deregistered');
  }

  /** Registers again after `deregister` (or a failure). */
  async register(): Promise<void> {
    if (this.state === 'failed') await this.shutdownClient(false);
    if (this.client) throw new Error(`${this.name} is already ${this.state}; use update to refresh`);
    await this.start();
  }

  /** What a device does on Execute /3/0/4: de-register, "boot", register again. */
  reboot(reason = 'requested'): Promise<void> {
    return this.restart(`reboot ${reason}`, false);
  }

  /** Execute /3/0/5: like reboot, and every value back to its factory setting. */
  factoryReset(reason = 'requested'): Promise<void> {
    return this.restart(`factory reset ${reason}`, true);
  }

  /** De-registers (unless `deregister: false`) and closes the socket for good. */
  async stop(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.state === 'registering' && this.client && options.deregister !== false) {
      // A Register may be on its way: give it a moment, so the server is not left holding a
      // registration that is never de-registered.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.whenSettled(), new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
    }
    const restarting = this.restarting;
    this.setState('stopped');
    await this.shutdownClient(options.deregister !== false);
    await restarting?.catch(() => {});
  }

  private restart(what: string, reset: boolean): Promise<void> {
    if (this.restarting) return this.restarting;
    this.config.log.notice(`${this.name}: ${what}: de-registering, back in ${this.config.rebootDelayMs} ms`);
    this.restarting = (async () => {
      // Let the 2.04 to the Execute leave before the socket closes.
      await new Promise((r) => setImmediate(r));
      if (this.state === 'stopped') return;
      this.setState('rebooting');
      await this.shutdownClient(true);
      await new Promise((r) => setTimeout(r, this.config.rebootDelayMs).unref());
      if ((this.state as DeviceState) === 'stopped') return;
      if (reset) this.objects = this.buildObjects();
      this.config.log.notice(`${this.name}: booted${reset ? ' with factory settings' : ''}, registering again`);
      await this.start();
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  private async shutdownClient(deregister: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.transport = undefined;
    try {
      await client.stop({ deregister: deregister && client.servers().some((s) => s.registered) });
    } catch (e) {
      this.config.log.warn(`${this.name}: closing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private requireRegistered(what: string): Client {
    if (!this.client || this.state !== 'registered')
      throw new Error(`cannot ${what}: ${this.name} is ${this.state}, not registered`);
    return this.client;
  }

  private accountObjects(): ObjectDefinition[] {
    const c = this.config;
    const security = securityObjects({
      uri: c.bootstrapUri ?? c.serverUri,
      scheme: this.scheme,
      bootstrap: c.bootstrapUri !== undefined,
      shortServerId: 1,
      credentials: c.credentials ?? {},
      ...(c.psk ? { psk: c.psk } : {}),
    });
    if (c.bootstrapUri !== undefined) return [...security, { id: 1 }];
    return [
      ...security,
      { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: c.lifetime, binding: this.binding }) } },
    ];
  }

  /** LwM2M binding: U for UDP and DTLS, T for TCP, TLS and WebSockets. */
  private get binding(): string {
    return this.scheme.includes('+') ? 'T' : 'U';
  }

  /** DTLS: close the sessions to the servers while asleep; the next send resumes them. */
  private async suspendSessions(client: Client): Promise<void> {
    const opened = this.transport;
    if (!opened?.suspend) return;
    for (const server of client.servers()) {
      const u = parseCoapUri(server.uri);
      const peer = await opened.transport.resolvePeer?.(u.host, u.port);
      if (peer && this.client === client && client.sleeping) opened.suspend(peer);
    }
  }

  private buildObjects(): DeviceObjects {
    const c = this.config;
    return buildDeviceObjects(c.objectIds, {
      endpointName: c.endpointName,
      random: c.random,
      now: c.now,
      bindings: c.queueMode ? `${this.binding}Q` : this.binding,
      ipAddress: () => this.client?.endpoint.transport.localAddress()?.address ?? '0.0.0.0',
      reboot: () => void this.reboot('by the server (Execute /3/0/4)'),
      factoryReset: () => void this.factoryReset('by the server (Execute /3/0/5)'),
    });
  }

  private listen(client: Client): void {
    const log = this.config.log;
    const mine = () => this.client === client;
    client.events.on('registered', ({ location }) => {
      if (!mine()) return;
      this.registrationMs ??= this.config.now() - this.startedAt;
      this.lastError = undefined;
      log.info(`${this.name}: registered at ${location}`);
      this.setState('registered');
    });
    client.events.on('registrationFailed', ({ error }) => {
      if (mine()) this.fail(error);
    });
    client.events.on('registrationRetry', ({ attempt, delayMs, error }) => {
      if (!mine()) return;
      const refused = credentialsRefused(error);
      if (refused) {
        // Retrying with the same credentials cannot succeed: say which flags to check, stop.
        this.fail(new Error(`${error.message}: ${refused}`));
        void this.shutdownClient(false);
        return;
      }
      this.lastError = error;
      log.warn(`${this.name}: registration attempt ${attempt} failed (${error.message}); retry in ${delayMs} ms`);
    });
    client.events.on('bootstrapStarted', ({ initiatedBy }) => {
      if (mine()) log.info(`${this.name}: bootstrap started by the ${initiatedBy}`);
    });
    client.events.on('bootstrapFinished', () => {
      if (mine()) log.info(`${this.name}: bootstrap finished`);
    });
    client.events.on('bootstrapFailed', ({ error }) => {
      if (mine()) this.fail(error);
    });
    client.events.on('deregistered', () => {
      if (mine() && this.state === 'registered') log.info(`${this.name}: de-registered`);
    });
    client.events.on('sleeping', () => {
      if (!mine()) return;
      log.info(`${this.name}: sleeping (queue mode)`);
      this.suspendSessions(client).catch((e: unknown) =>
        log.warn(`${this.name}: closing the DTLS session failed: ${e instanceof Error ? e.message : String(e)}`),
      );
    });
    client.events.on('awake', () => {
      if (mine()) log.info(`${this.name}: awake`);
    });
  }

  private fail(e: unknown): void {
    if (this.state === 'stopped') return;
    this.lastError = e instanceof Error ? e : new Error(String(e));
    if ((e as { code?: string }).code === 'EMFILE' || /EMFILE/.test(this.lastError.message))
      this.lastError = new Error(
        `${this.lastError.message} (each device needs one UDP socket: raise the open-file limit, ulimit -n, or lower --count)`,
      );
    this.config.log.warn(`${this.name}: ${this.lastError.message}`);
    this.setState('failed');
  }

  private setState(next: DeviceState): void {
    const previous = this.state;
    if (previous === next || (previous === 'stopped' && next !== 'stopped')) return;
    this.state = next;
    this.config.onState?.(this, previous);
    if (next !== 'registering' && next !== 'rebooting') {
      const waiting = this.settled;
      this.settled = [];
      for (const resolve of waiting) resolve();
    }
  }
}
