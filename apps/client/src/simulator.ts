/**
 * The simulator: one device or a fleet from one process. Devices start at `ramp` per second,
 * each with its own UDP socket; one shared ticker moves every device's values (spread over
 * the period in slices, so a fleet does not notify in one burst).
 */
import type { LwM2mVersion } from '@lwm2m-ts/client';
import { OptionRegistry, parseCoapUri } from '@lwm2m-ts/codec';
import { createDefaultRegistry, type ModelRegistry, NodeCodecRegistry } from '@lwm2m-ts/objects';
import { newCounters, type TrafficCounters } from './counting-transport';
import { ALL_OBJECT_IDS } from './objects/catalog';
import type { RandomSource } from './objects/simulated-instance';
import type { DeviceCredentials } from './security/credentials';
import { checkCredentials, devicePsk } from './security/device-transport';
import { type DeviceState, SimulatedDevice, type SimulatorLog, silentLog } from './simulated-device';

export interface SimulatorOptions {
  /** LwM2M server, default coap://127.0.0.1:5683. */
  readonly server?: string;
  /** Bootstrap server: devices bootstrap instead of registering directly. */
  readonly bootstrap?: string;
  /** Endpoint name; with `count` > 1 devices are NAME-0001, NAME-0002, ... Default "lwm2m-sim". */
  readonly endpoint?: string;
  /** Number of devices, default 1. */
  readonly count?: number;
  /** Devices started per second, default 100. */
  readonly ramp?: number;
  /** Registration lifetime (s), default 300. */
  readonly lifetime?: number;
  readonly queue?: boolean;
  /** Queue mode awake time (ms), default the client's (93 s). */
  readonly awakeTimeMs?: number;
  /** Object ids to expose (Device 3 is always added); default every simulated object. */
  readonly objects?: readonly number[];
  /** Value changes per second per device, default 1; 0 freezes the values. */
  readonly rate?: number;
  readonly lwm2mVersion?: LwM2mVersion;
  /** Local address to bind each device's socket to. */
  readonly bindHost?: string;
  /** Reboot / factory reset duration (ms), default 1000. */
  readonly rebootDelayMs?: number;
  readonly random?: RandomSource;
  /**
   * Credentials for the secured schemes (coaps, coaps+tcp) and OSCORE (coap). In a fleet the PSK
   * identity gets each endpoint's suffix (ID-0001, ...) unless `sharedPsk`.
   */
  readonly credentials?: DeviceCredentials;
  /** Object models (default the embedded core + IPSO set), shared by every device. */
  readonly models?: ModelRegistry;
  readonly now?: () => number;
  readonly log?: SimulatorLog;
  /** Called whenever a device changes state (and once per ramp step). */
  readonly onProgress?: (stats: SimulatorStats) => void;
}

export interface SimulatorStats {
  readonly total: number;
  /** Devices whose socket is open (the ramp has reached them). */
  readonly started: number;
  readonly registered: number;
  readonly registering: number;
  readonly failed: number;
  readonly deregistered: number;
  readonly notifications: number;
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  /** Mean and slowest time to the first registration (ms) of the devices registered so far. */
  readonly meanRegistrationMs: number;
  readonly maxRegistrationMs: number;
  readonly elapsedMs: number;
}

export interface Simulator {
  readonly devices: readonly SimulatedDevice[];
  /** Starts the ramp; resolves once every device registered, failed or was stopped. */
  start(): Promise<void>;
  stats(): SimulatorStats;
  /** Stops the ramp and the ticker, de-registers every device (unless `deregister: false`), closes sockets. */
  close(options?: { deregister?: boolean }): Promise<void>;
}

export const DEFAULT_SERVER = 'coap://127.0.0.1:5683';
const FLEET_SOCKET_BUFFER = 256 * 1024;
/** De-register this many devices at once on close, so thousands do not flood the server. */
const CLOSE_BATCH = 200;

/** NAME for one device, NAME-0001... for a fleet (at least four digits). */
export function endpointNames(base: string, count: number): string[] {
  if (count === 1) return [base];
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `${base}-${String(i + 1).padStart(width, '0')}`);
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a whole number >= 1, got ${count}`);
  const ramp = options.ramp ?? 100;
  if (!(ramp > 0)) throw new RangeError(`ramp must be > 0 devices per second, got ${ramp}`);
  const rate = options.rate ?? 1;
  if (!(rate >= 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be >= 0 changes per second, got ${rate}`);
  const credentials = options.credentials ?? {};
  const uri = options.bootstrap ?? options.server ?? DEFAULT_SERVER;
  checkCredentials(parseCoapUri(uri).scheme, credentials);
  if (options.bootstrap !== undefined && options.server !== undefined && options.server !== DEFAULT_SERVER)
    checkCredentials(parseCoapUri(options.server).scheme, credentials);
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const counters: TrafficCounters = newCounters();
  const models = options.models ?? createDefaultRegistry();
  const codecs = new NodeCodecRegistry();
  const optionRegistry = new OptionRegistry();
  const counts: Record<DeviceState, number> = {
    idle: count,
    registering: 0,
    registered: 0,
    failed: 0,
    deregistered: 0,
    rebooting: 0,
    stopped: 0,
  };
  const startedAt = now();
  let started = 0;
  let closed = false;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let wakeRamp: (() => void) | undefined;

  // Kept up to date on every state change, so stats() is O(1) however large the fleet.
  const registration = { count: 0, sumMs: 0, maxMs: 0 };
  const firstRegistration = new WeakSet<SimulatedDevice>();
  const stats = (): SimulatorStats => ({
    total: count,
    started,
    registered: counts.registered,
    registering: counts.registering + counts.rebooting,
    failed: counts.failed,
    deregistered: counts.deregistered,
    notifications: counters.notifications,
    datagramsSent: counters.sent,
    datagramsReceived: counters.received,
    meanRegistrationMs: registration.count === 0 ? 0 : Math.round(registration.sumMs / registration.count),
    maxRegistrationMs: registration.maxMs,
    elapsedMs: now() - startedAt,
  });

  const base = options.endpoint ?? 'lwm2m-sim';
  const devices = endpointNames(base, count).map((endpointName) => {
    const psk = devicePsk(credentials, endpointName.slice(base.length));
    return new SimulatedDevice({
      endpointName,
      credentials,
      ...(psk ? { psk } : {}),
      serverUri: options.server ?? DEFAULT_SERVER,
      ...(options.bootstrap !== undefined ? { bootstrapUri: options.bootstrap } : {}),
      lifetime: options.lifetime ?? 300,
      queueMode: options.queue ?? false,
      ...(options.awakeTimeMs !== undefined ? { awakeTimeMs: options.awakeTimeMs } : {}),
      objectIds: options.objects ?? ALL_OBJECT_IDS,
      lwm2mVersion: options.lwm2mVersion ?? '1.1',
      random,
      now,
      log: options.log ?? silentLog,
      counters,
      models,
      codecs,
      optionRegistry,
      ...(options.bindHost !== undefined ? { bindHost: options.bindHost } : {}),
      ...(count > 1 ? { socketBufferSize: FLEET_SOCKET_BUFFER } : {}),
      rebootDelayMs: options.rebootDelayMs ?? 1000,
      onState: (device, previous) => {
        counts[previous]--;
        counts[device.state]++;
        if (device.state === 'registered' && device.registrationMs !== undefined && !firstRegistration.has(device)) {
          firstRegistration.add(device);
          registration.count++;
          registration.sumMs += device.registrationMs;
          registration.maxMs = Math.max(registration.maxMs, device.registrationMs);
        }
        options.onProgress?.(stats());
      },
    });
  });

  /** One interval for the whole fleet: each beat ticks one slice of the devices. */
  const startTicker = () => {
    if (rate === 0 || ticker) return;
    const periodMs = 1000 / rate;
    const slices = Math.max(1, Math.min(devices.length, Math.floor(periodMs / 20), 50));
    let beat = 0;
    ticker = setInterval(() => {
      const slice = beat++ % slices;
      for (let i = slice; i < devices.length; i += slices) devices[i]!.tick(1 / rate);
    }, periodMs / slices);
    ticker.unref?.();
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wakeRamp = undefined;
        resolve();
      }
      wakeRamp = done;
    });

  return {
    devices,
    stats,
    async start() {
      startTicker();
      const interval = 1000 / ramp;
      const begin = now();
      for (let i = 0; i < devices.length && !closed; i++) {
        // Keep to the schedule (device i at i / ramp seconds) even when opening a socket is slow.
        const due = begin + i * interval - now();
        if (due > 0) await pause(due);
        // Behind schedule: still give the event loop a turn (binding a socket to an IP literal
        // completes without one), or responses and timers starve while the ramp catches up.
        else await new Promise((resolve) => setImmediate(resolve));
        if (closed) break;
        await devices[i]!.start();
        started++;
        options.onProgress?.(stats());
      }
      await Promise.all(devices.map((d) => d.whenSettled()));
    },
    async close({ deregister = true } = {}) {
      closed = true;
      wakeRamp?.();
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      for (let i = 0; i < devices.length; i += CLOSE_BATCH)
        await Promise.all(devices.slice(i, i + CLOSE_BATCH).map((d) => d.stop({ deregister })));
    },
  };
}

/** Creates the simulator and waits until every device registered or failed. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = createSimulator(options);
  try {
    await simulator.start();
  } catch (e) {
    await simulator.close({ deregister: false });
    throw e;
  }
  return simulator;
}
