/**
 * The objects a simulated device can expose, by name or id, and how to build one device's
 * instances (Device 3 is always there: LwM2M requires it).
 */
import {
  DeviceInstance,
  type DeviceInstanceOptions,
  type InstanceEnabler,
  type ObjectDefinition,
} from '@lwm2m-ts/client';
import { LightControl, PushButton, SetPoint, Timer } from './actuators';
import { ConnectivityMonitoring, Location } from './location-connectivity';
import { humiditySensor, temperatureSensor } from './sensors';
import { type RandomSource, round } from './simulated-instance';

export const OBJECT_NAMES = {
  device: 3,
  connectivity: 4,
  location: 6,
  temperature: 3303,
  humidity: 3304,
  setpoint: 3308,
  light: 3311,
  timer: 3340,
  button: 3347,
} as const;

export type ObjectName = keyof typeof OBJECT_NAMES;

/** Every simulated object id, in registration order. */
export const ALL_OBJECT_IDS: readonly number[] = Object.values(OBJECT_NAMES);

/** A value source the simulator's ticker moves. */
export interface Tickable {
  tick(dtSeconds: number, random: RandomSource): void;
}

/**
 * "temperature,light" or "3303,3311" (names and ids may mix; "all" means every object) ->
 * object ids, Device (3) first. Throws an Error naming the unknown entry and the valid ones.
 */
export function parseObjectList(text: string): number[] {
  const ids = new Set<number>([OBJECT_NAMES.device]);
  const byId = new Map<number, string>(Object.entries(OBJECT_NAMES).map(([name, id]) => [id, name]));
  for (const raw of text.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === 'all') {
      for (const id of ALL_OBJECT_IDS) ids.add(id);
      continue;
    }
    const id = /^\d+$/.test(entry) ? Number(entry) : OBJECT_NAMES[entry as ObjectName];
    if (id === undefined || !byId.has(id)) {
      const valid = Object.entries(OBJECT_NAMES)
        .map(([name, n]) => `${name} (${n})`)
        .join(', ');
      throw new Error(`unknown object "${raw.trim()}" in --objects; choose from: ${valid}, or "all"`);
    }
    ids.add(id);
  }
  return [...ids];
}

export interface DeviceObjectsContext {
  readonly endpointName: string;
  readonly random: RandomSource;
  readonly now: () => number;
  /** The address the device's socket is bound to (Connectivity Monitoring /4/0/4). */
  readonly ipAddress: () => string;
  /** Supported binding and modes (/3/0/16): "U", or "UQ" in queue mode. */
  readonly bindings: string;
  readonly reboot: () => void;
  readonly factoryReset: () => void;
}

/** Device (3) with a slowly draining battery and a fluctuating free memory. */
export class SimulatedDeviceObject extends DeviceInstance implements Tickable {
  constructor(options: DeviceInstanceOptions) {
    super(options);
  }

  tick(dtSeconds: number, random: RandomSource): void {
    // About 1 % per 10 minutes; "recharged" at 5 %.
    const battery = Number(this.value(9) ?? 100);
    const drained = random() < dtSeconds / 600 ? battery - 1 : battery;
    if (drained !== battery) this.set(9, drained < 5 ? 100 : drained);
    const free = Number(this.value(10) ?? 0);
    const next = Math.round(Math.min(256, Math.max(32, free + (random() - 0.5) * 4 * dtSeconds)));
    if (next !== free) this.set(10, next);
  }
}

export interface DeviceObjects {
  /** Objects to hand to the LwM2mClient (without Security 0 and Server 1). */
  readonly definitions: ObjectDefinition[];
  readonly tickables: Tickable[];
}

/** Builds one device's simulated instances for `objectIds` (instance 0 of each). */
export function buildDeviceObjects(objectIds: readonly number[], ctx: DeviceObjectsContext): DeviceObjects {
  const tickables: Tickable[] = [];
  const definitions: ObjectDefinition[] = [];
  const add = (id: number, instance: Tickable & InstanceEnabler) => {
    tickables.push(instance);
    definitions.push({ id, instances: { 0: instance } });
  };
  const serial = ctx.endpointName.replace(/[^A-Za-z0-9-]/g, '').toUpperCase();
  for (const id of objectIds) {
    switch (id) {
      case OBJECT_NAMES.device:
        add(
          id,
          new SimulatedDeviceObject({
            manufacturer: 'lwm2m-ts',
            modelNumber: 'Simulated Device',
            serialNumber: serial || 'SIM',
            firmwareVersion: '1.0.0',
            softwareVersion: '1.0.0',
            hardwareVersion: 'sim-1',
            deviceType: 'simulator',
            supportedBindings: ctx.bindings,
            batteryLevel: 50 + Math.floor(ctx.random() * 50),
            memoryFree: 128,
            memoryTotal: 256,
            utcOffset: '+00:00',
            timezone: 'UTC',
            reboot: () => ctx.reboot(),
            factoryReset: () => ctx.factoryReset(),
          }),
        );
        break;
      case OBJECT_NAMES.connectivity:
        add(id, new ConnectivityMonitoring(ctx.ipAddress, ctx.random));
        break;
      case OBJECT_NAMES.location:
        add(id, new Location(ctx.now, ctx.random));
        break;
      case OBJECT_NAMES.temperature:
        add(id, temperatureSensor(ctx.random));
        break;
      case OBJECT_NAMES.humidity:
        add(id, humiditySensor(ctx.random));
        break;
      case OBJECT_NAMES.setpoint:
        add(id, new SetPoint(round(20 + ctx.random() * 2, 1)));
        break;
      case OBJECT_NAMES.light:
        add(id, new LightControl());
        break;
      case OBJECT_NAMES.timer:
        add(id, new Timer());
        break;
      case OBJECT_NAMES.button:
        add(id, new PushButton());
        break;
      default:
        throw new RangeError(`object ${id} is not simulated`);
    }
  }
  return { definitions, tickables };
}
