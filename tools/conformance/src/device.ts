/**
 * The device every pair runs: Device (3), a temperature sensor (3303), a Location (3336, for an
 * opaque resource), and the seed's home: three lights (3311), a thermostat (3308) and a timer
 * (3340) whose trigger (5523) records its Execute arguments.
 */
import {
  deviceInstance,
  type ExecuteArgument,
  type IpsoSensor,
  ipsoSensor,
  LwM2mClient,
  type LwM2mClientOptions,
  type ObjectDefinition,
  SimpleInstance,
  securityInstance,
  serverInstance,
} from '@lwm2m-ts/client';
import type { Transport } from '@lwm2m-ts/coap';

export const MANUFACTURER = 'Conformance Labs';
export const VELOCITY = new Uint8Array([0x00, 0x2a, 0xff, 0x10]);

export interface Device {
  readonly client: LwM2mClient;
  readonly endpointName: string;
  readonly sensor: IpsoSensor;
  readonly lights: readonly SimpleInstance[];
  readonly thermostat: SimpleInstance;
  readonly timer: SimpleInstance;
  /** Arguments of every Execute on /3340/0/5523, in order. */
  readonly triggers: (readonly ExecuteArgument[])[];
}

export interface DeviceOptions {
  readonly endpointName: string;
  readonly transport: Transport;
  /** The LwM2M Server URI written into Security /0/0/0 (the client resolves it on its transport). */
  readonly serverUri: string;
  readonly lifetime?: number;
  readonly endpoint?: LwM2mClientOptions['endpoint'];
}

export function createDevice(options: DeviceOptions): Device {
  const sensor = ipsoSensor({ value: 21.5, units: 'Cel', minRange: -40, maxRange: 85 });
  const lights = [0, 1, 2].map(() => new SimpleInstance({ values: { 5850: true, 5851: 100 } }));
  const thermostat = new SimpleInstance({ values: { 5900: 21, 5701: 'Cel' } });
  const triggers: (readonly ExecuteArgument[])[] = [];
  const timer = new SimpleInstance({
    values: { 5521: 5, 5525: 0, 5850: true },
    execute: { 5523: (args) => void triggers.push(args) },
  });
  const objects: ObjectDefinition[] = [
    { id: 0, instances: { 0: securityInstance({ uri: options.serverUri, shortServerId: 1 }) } },
    { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: options.lifetime ?? 300 }) } },
    { id: 3, instances: { 0: deviceInstance({ manufacturer: MANUFACTURER, modelNumber: 'CT-1', batteryLevel: 87 }) } },
    { id: 3303, instances: { 0: sensor } },
    { id: 3336, instances: { 0: new SimpleInstance({ values: { 5517: VELOCITY } }) } },
    { id: 3311, instances: { 0: lights[0]!, 1: lights[1]!, 2: lights[2]! } },
    { id: 3308, instances: { 0: thermostat } },
    { id: 3340, instances: { 0: timer } },
  ];
  const client = new LwM2mClient({
    endpointName: options.endpointName,
    lwm2mVersion: '1.1',
    transport: options.transport,
    objects,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  return { client, endpointName: options.endpointName, sensor, lights, thermostat, timer, triggers };
}
