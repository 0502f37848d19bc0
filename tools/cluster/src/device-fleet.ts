/**
 * Simulated LwM2M devices in-process: `@lwm2m-ts/client` over `@lwm2m-ts/transport-udp`, one
 * loopback socket each, registered with one server URI (the balancer). Each device exposes an
 * IPSO temperature sensor (/3303/0/5700) whose value the test sets: a per-device sequence number
 * that the event stream must show exactly once each and in order. Notifications are confirmable,
 * so one that reaches a dead node is retransmitted and, once the balancer moved the device, lands
 * on a live node.
 */
import { accountObjects, deviceInstance, type IpsoSensor, ipsoSensor, LwM2mClient } from '@lwm2m-ts/client';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';

export interface FleetOptions {
  /** e.g. coap://127.0.0.1:27140 */
  readonly serverUri: string;
  readonly count: number;
  /** Endpoint names are `${prefix}-0001`, ... */
  readonly prefix: string;
  /** Registration lifetime (s); the client updates at 90 % of it. */
  readonly lifetime: number;
  /** Devices registering at once (default 25). */
  readonly concurrency?: number;
  /** How long one device may take to register (default 20 s). */
  readonly registerTimeoutMs?: number;
}

export interface FleetDevice {
  readonly endpoint: string;
  readonly client: LwM2mClient;
  readonly sensor: IpsoSensor;
  /** The device's local UDP port (its source port at the balancer). */
  readonly port: number;
  updates: number;
}

export const SENSOR_PATH = '/3303/0/5700';

export class DeviceFleet {
  readonly devices: FleetDevice[] = [];
  readonly #byEndpoint = new Map<string, FleetDevice>();

  /** Creates and registers every device; rejects if one did not register in time. */
  static async start(options: FleetOptions): Promise<DeviceFleet> {
    const fleet = new DeviceFleet();
    const names = Array.from(
      { length: options.count },
      (_, i) => `${options.prefix}-${String(i + 1).padStart(4, '0')}`,
    );
    let next = 0;
    const worker = async () => {
      while (next < names.length) await fleet.#startDevice(names[next++]!, options);
    };
    try {
      await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 25, names.length) }, worker));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  async #startDevice(endpoint: string, options: FleetOptions): Promise<void> {
    const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const sensor = ipsoSensor({ value: 0, units: 'Cel' });
    const client = new LwM2mClient({
      endpointName: endpoint,
      transport,
      objects: [
        ...accountObjects([{ uri: options.serverUri, lifetime: options.lifetime }]),
        { id: 3, instances: { 0: deviceInstance({ manufacturer: 'lwm2m-ts cluster test' }) } },
        { id: 3303, instances: { 0: sensor } },
      ],
      endpoint: { observe: { confirmable: true } },
    });
    const device: FleetDevice = { endpoint, client, sensor, port: transport.localAddress()?.port ?? 0, updates: 0 };
    this.devices.push(device);
    this.#byEndpoint.set(endpoint, device);
    client.events.on('updated', () => {
      device.updates++;
    });
    const registered = client.events.once('registered');
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = options.registerTimeoutMs ?? 20_000;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${endpoint} did not register within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([client.start().then(() => registered), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get(endpoint: string): FleetDevice | undefined {
    return this.#byEndpoint.get(endpoint);
  }

  /** A new sensor value on every device (each notifies its observers). */
  setAll(value: number): void {
    for (const d of this.devices) d.sensor.update(value);
  }

  /** Stops every device (no de-registration: the servers may be gone). */
  async stop(): Promise<void> {
    await Promise.allSettled(this.devices.map((d) => d.client.stop({ deregister: false })));
  }
}
