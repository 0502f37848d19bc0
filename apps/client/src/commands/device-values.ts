/**
 * Resolving "/o/i/r" on a simulated device, typing text the user typed with the resource
 * model, and showing values: the pieces behind `set`, `get` and `list`.
 */
import { type InstanceEnabler, isMultipleContent, type ResourceContent, SimpleInstance } from '@lwm2m-ts/client';
import type { LwM2mValue, ObjectModel, ResourceModel } from '@lwm2m-ts/objects';
import { WalkingSensor } from '../objects/sensors';
import type { SimulatedDevice } from '../simulated-device';

export interface ResolvedResource {
  readonly instance: SimpleInstance;
  readonly model: ObjectModel;
  readonly resource: ResourceModel;
  readonly resourceId: number;
}

const idsOf = (path: string): number[] => path.slice(1).split('/').map(Number);

/** The simulated objects; with `accounts` also Security (0), Server (1) and OSCORE (21), for get. */
function instancesOf(device: SimulatedDevice, accounts = false): Map<number, Map<number, InstanceEnabler>> {
  const out = new Map<number, Map<number, InstanceEnabler>>();
  for (const def of accounts ? [...device.accounts, ...device.objects.definitions] : device.objects.definitions) {
    const given = def.instances ?? {};
    const entries = given instanceof Map ? [...given] : Object.entries(given).map(([k, v]) => [Number(k), v] as const);
    out.set(def.id, new Map(entries as [number, InstanceEnabler][]));
  }
  return out;
}

/** "/o/i/r" -> the instance and models; throws an Error that says what is missing. */
export function resolveResource(device: SimulatedDevice, path: string): ResolvedResource {
  const [objectId, instanceId, resourceId] = idsOf(path) as [number, number, number];
  const objects = instancesOf(device, true);
  const instances = objects.get(objectId);
  if (!instances)
    throw new Error(
      `${device.name} has no object ${objectId}; it exposes ${[...instancesOf(device).keys()].join(', ')} (see list)`,
    );
  const instance = instances.get(instanceId);
  if (!instance)
    throw new Error(`object ${objectId} has no instance ${instanceId}; it has ${[...instances.keys()].join(', ')}`);
  if (!(instance instanceof SimpleInstance)) throw new Error(`${path} is not a simulated value`);
  const model = instance.model;
  const resource = model.resources.get(resourceId);
  if (!resource)
    throw new Error(
      `object ${objectId} (${model.name}) has no resource ${resourceId}; see list for the resources it has`,
    );
  return { instance, model, resource, resourceId };
}

/** Text -> the plain value the resource's type wants; throws with the expected form. */
export function parseValue(resource: ResourceModel, text: string): string | number | boolean | Date {
  const what = `resource ${resource.id} (${resource.name}) is ${resource.type}`;
  switch (resource.type) {
    case 'string':
    case 'corelnk':
    case 'opaque':
      return text;
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`${what}: "${text}" is not a number (e.g. 22.5)`);
      return n;
    }
    case 'integer':
    case 'unsigned': {
      if (!/^-?\d+$/.test(text)) throw new Error(`${what}: "${text}" is not a whole number`);
      const n = Number(text);
      if (resource.type === 'unsigned' && n < 0) throw new Error(`${what}: "${text}" is negative`);
      return n;
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (['true', '1', 'on', 'yes'].includes(t)) return true;
      if (['false', '0', 'off', 'no'].includes(t)) return false;
      throw new Error(`${what}: "${text}" is not true/false (also 1/0, on/off)`);
    }
    case 'time': {
      const n = Number(text);
      if (/^\d+$/.test(text)) return new Date(n * 1000);
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) throw new Error(`${what}: "${text}" is not a time (Unix seconds or ISO 8601)`);
      return d;
    }
    case 'objlnk':
    case 'none':
      throw new Error(
        resource.type === 'none'
          ? `resource ${resource.id} (${resource.name}) is executable; it holds no value`
          : `${what}: setting object links is not supported here`,
      );
  }
}

/** Sets a resource from text, the way the device itself would (sensors also track min/max). */
export function setValue(device: SimulatedDevice, path: string, text: string): string {
  const { instance, resource, resourceId } = resolveResource(device, path);
  if (resource.multiple) throw new Error(`${path} (${resource.name}) is a multiple resource; set is for single values`);
  const value = parseValue(resource, text);
  if (instance instanceof WalkingSensor && resourceId === 5700) instance.update(value as number);
  else instance.set(resourceId, value);
  return `${path} (${resource.name}) = ${showContent(instance.get(resourceId))}`;
}

export function getValue(device: SimulatedDevice, path: string): string {
  const { instance, resource, resourceId } = resolveResource(device, path);
  if (resource.type === 'none') return `${path} (${resource.name}) is executable`;
  const content = instance.get(resourceId);
  return `${path} (${resource.name}) = ${content === undefined ? '(absent)' : showContent(content)}`;
}

function showValue(v: LwM2mValue): string {
  const value = v.value as unknown;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null && 'objectId' in value) {
    const link = value as { objectId: number; instanceId: number };
    return `${link.objectId}:${link.instanceId}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

export function showContent(content: ResourceContent | undefined): string {
  if (content === undefined) return '(absent)';
  if (isMultipleContent(content)) return `[${[...content].map(([i, v]) => `${i}: ${showValue(v)}`).join(', ')}]`;
  return showValue(content);
}

/** Every object, instance and resource value of the device, one line each. */
export function listObjects(device: SimulatedDevice): string[] {
  const lines: string[] = [];
  for (const [objectId, instances] of instancesOf(device)) {
    for (const [instanceId, instance] of instances) {
      if (!(instance instanceof SimpleInstance)) continue;
      const model = instance.model;
      lines.push(`/${objectId}/${instanceId}  ${model.name}`);
      for (const id of instance.resourceIds()) {
        const r = model.resources.get(id);
        if (!r) continue;
        const shown = r.type === 'none' ? '(executable)' : showContent(instance.get(id));
        const access = `${r.operations.read ? 'R' : ''}${r.operations.write ? 'W' : ''}${r.operations.execute ? 'E' : ''}`;
        lines.push(`  /${objectId}/${instanceId}/${id}  ${r.name} [${access}] = ${shown}`);
      }
    }
  }
  return lines;
}
