/**
 * This browser tab as an LwM2M device: an LwM2mClient over CoAP/WebSockets to the server that
 * served the page, with Device (3), a Temperature sensor (3303) the user moves and a Light
 * Control (3311) the server switches. The UI reads `snapshot()` and listens with `subscribe`.
 */
import {
  accountObjects,
  deviceInstance,
  IpsoSensor,
  LwM2mClient,
  type ObjectDefinition,
  SimpleInstance,
} from '@lwm2m-ts/client';
import { createBrowserWsTransport } from '@lwm2m-ts/transport-ws/browser';
import type { BrowserIdentity } from './browser-identity';
import type { DeviceSettings } from './device-settings';
import type { OperationLog } from './operation-log';
import { serverUriFor } from './server-address';

export type DeviceState = 'idle' | 'registering' | 'registered' | 'deregistering' | 'deregistered' | 'failed';

export interface LightState {
  readonly on: boolean;
  /** Dimmer, 0-100 %. */
  readonly dimmer: number;
}

export interface TabDeviceSnapshot {
  readonly state: DeviceState;
  /** The registration's location on the server ("/rd/abc"), once registered. */
  readonly location?: string;
  /** Registration Updates the server accepted. */
  readonly updates: number;
  /** Last problem (a retry, a failed registration, a broken connection), for the user to read. */
  readonly error?: string;
  readonly temperature?: number;
  readonly light?: LightState;
}

export interface TabDeviceOptions {
  readonly settings: DeviceSettings;
  /** ws:// or wss:// URL of the server's CoAP endpoint, e.g. ws://host:8080/.well-known/coap. */
  readonly url: string;
  readonly identity: BrowserIdentity;
  readonly log: OperationLog;
  /** Tests and other runtimes; default the browser's WebSocket. */
  readonly WebSocket?: typeof WebSocket;
}

export const INITIAL_TEMPERATURE = 21.5;
export const TEMPERATURE_RANGE = { min: -20, max: 60 } as const;
const LIGHT = { ON_OFF: 5850, DIMMER: 5851, APPLICATION_TYPE: 5750 } as const;
/**
 * Registration retries (/1/0/17-20) for a tab whose user is watching: 2, 4, 8, 16 s apart, then
 * again after 30 and 60 s (the defaults wait minutes to hours), so a restarted server sees the tab
 * within seconds.
 */
const RETRIES = { retryCount: 5, retryTimer: 2, sequenceRetryCount: 3, sequenceDelay: 30 } as const;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class TabDevice {
  readonly client: LwM2mClient;
  #snapshot: TabDeviceSnapshot;
  readonly #listeners = new Set<() => void>();
  readonly #temperature: IpsoSensor | undefined;
  readonly #light: SimpleInstance | undefined;

  constructor(options: TabDeviceOptions) {
    const { settings, identity } = options;
    const endpoint = settings.endpoint.trim();
    this.#temperature = settings.temperature
      ? new IpsoSensor({
          value: INITIAL_TEMPERATURE,
          units: 'Cel',
          minRange: TEMPERATURE_RANGE.min,
          maxRange: TEMPERATURE_RANGE.max,
          applicationType: 'browser tab slider',
        })
      : undefined;
    this.#light = settings.light
      ? new SimpleInstance({
          values: { [LIGHT.ON_OFF]: false, [LIGHT.DIMMER]: 100, [LIGHT.APPLICATION_TYPE]: 'browser tab lamp' },
          onWrite: (id) => {
            if (id === LIGHT.ON_OFF || id === LIGHT.DIMMER) this.#update({ light: this.#lightState() });
          },
        })
      : undefined;
    const objects: ObjectDefinition[] = [
      ...accountObjects([{ uri: serverUriFor(options.url), lifetime: settings.lifetime, binding: 'T', ...RETRIES }]),
      {
        id: 3,
        instances: {
          0: deviceInstance({
            manufacturer: identity.manufacturer,
            modelNumber: identity.modelNumber,
            serialNumber: endpoint,
            firmwareVersion: identity.firmwareVersion,
            deviceType: identity.deviceType,
            softwareVersion: 'lwm2m-ts device tab',
            supportedBindings: 'T',
          }),
        },
      },
    ];
    if (this.#temperature) objects.push({ id: 3303, instances: { 0: this.#temperature } });
    if (this.#light) objects.push({ id: 3311, instances: { 0: this.#light } });

    const transport = createBrowserWsTransport({
      url: options.url,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    // A lost connection (server restart, network change) would otherwise wait for the next periodic
    // Update: send one now, over a new connection (a server that forgot us answers 4.04: we register again).
    transport.onPeerClosed?.((_peer, reason) => this.#connectionLost(reason));
    this.client = new LwM2mClient({ endpointName: endpoint, transport: options.log.tap(transport), objects });
    this.#snapshot = {
      state: 'idle',
      updates: 0,
      ...(this.#temperature ? { temperature: this.#temperature.reading } : {}),
    };
    this.#listen();
  }

  snapshot(): TabDeviceSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects and registers; the outcome arrives as state changes (retries and failures included). */
  async register(): Promise<void> {
    if (this.#snapshot.state !== 'idle') return;
    this.#update({ state: 'registering' });
    if (this.#light) this.#update({ light: this.#lightState() });
    try {
      await this.client.start();
    } catch (e) {
      this.#update({ state: 'failed', error: message(e) });
    }
  }

  /** De-registers (when registered) and closes the WebSocket; the device is done afterwards. */
  async deregister(): Promise<void> {
    const state = this.#snapshot.state;
    if (state === 'deregistering' || state === 'deregistered') return;
    this.#update({ state: 'deregistering' });
    try {
      await this.client.stop({ deregister: this.client.servers().some((s) => s.registered) });
      this.#update({ state: 'deregistered' });
    } catch (e) {
      this.#update({ state: 'deregistered', error: `de-registration failed: ${message(e)}` });
    }
  }

  /** The user moved the slider: a new reading; observers are notified per their attributes. */
  setTemperature(value: number): void {
    if (!this.#temperature) return;
    this.#temperature.update(value);
    this.#update({ temperature: this.#temperature.reading });
  }

  /** The user switched the light on the page (the server sees the change like any device-side one). */
  setLight(on: boolean): void {
    if (!this.#light) return;
    this.#light.set(LIGHT.ON_OFF, on);
    this.#update({ light: this.#lightState() });
  }

  #connectionLost(reason: Error | undefined): void {
    if (this.#snapshot.state !== 'registered') return;
    this.#update({
      state: 'registering',
      error: `connection to the server lost (${reason?.message ?? 'closed'}); reconnecting`,
    });
    this.client.triggerUpdate().catch((e: unknown) => this.#update({ error: `reconnecting failed: ${message(e)}` }));
  }

  #lightState(): LightState {
    return {
      on: this.#light?.value(LIGHT.ON_OFF) === true,
      dimmer: Number(this.#light?.value(LIGHT.DIMMER) ?? 0),
    };
  }

  #listen(): void {
    const events = this.client.events;
    events.on('registered', ({ location }) => this.#update({ state: 'registered', location }, { clearError: true }));
    events.on('updated', () =>
      this.#update({ state: 'registered', updates: this.#snapshot.updates + 1 }, { clearError: true }),
    );
    events.on('deregistered', () => this.#update({ state: 'deregistered' }));
    events.on('registrationRetry', ({ attempt, delayMs, error }) =>
      this.#update({
        error: `registration attempt ${attempt} failed (${error.message}); retrying in ${Math.round(delayMs / 1000)} s`,
      }),
    );
    events.on('registrationFailed', ({ error }) => this.#update({ state: 'failed', error: error.message }));
    events.on('error', ({ error, where }) => this.#update({ error: `${where}: ${message(error)}` }));
  }

  #update(change: Partial<TabDeviceSnapshot>, options: { clearError?: boolean } = {}): void {
    const { error, ...rest } = this.#snapshot;
    this.#snapshot = { ...rest, ...(options.clearError || error === undefined ? {} : { error }), ...change };
    this.#changed();
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
