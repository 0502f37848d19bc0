import { NO_CONTROL } from '@lwm2m-ts/client';
import { createDefaultRegistry } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { LightControl, PushButton, Timer } from './actuators';
import { ALL_OBJECT_IDS, buildDeviceObjects, parseObjectList } from './catalog';
import { Location } from './location-connectivity';
import { temperatureSensor } from './sensors';
import { randomWalk, type SimulatedInstance, seededRandom } from './simulated-instance';

const models = createDefaultRegistry();

/** Binds an instance to its model, recording the resources it reports as changed. */
function bound<T extends SimulatedInstance>(objectId: number, instance: T): { instance: T; changed: number[][] } {
  const changed: number[][] = [];
  instance.bind({
    objectId,
    instanceId: 0,
    model: models.latest(objectId)!,
    control: NO_CONTROL,
    changed: (ids) => changed.push([...(ids ?? [])]),
  });
  return { instance, changed };
}

describe('simulated values', () => {
  it('a random walk stays inside its bounds and drifts back to its mean', () => {
    const random = seededRandom(5);
    let v = 80;
    const o = { mean: 21, sigma: 0.5, reversion: 0.05, min: -40, max: 85 };
    for (let i = 0; i < 5_000; i++) {
      v = randomWalk(v, o, 1, random);
      expect(v).toBeGreaterThanOrEqual(-40);
      expect(v).toBeLessThanOrEqual(85);
    }
    expect(Math.abs(v - 21)).toBeLessThan(15);
  });

  it('the temperature moves, notifies 5700 and tracks min / max', () => {
    const random = seededRandom(9);
    const { instance: t, changed } = bound(3303, temperatureSensor(random));
    const first = t.reading;
    for (let i = 0; i < 50; i++) t.tick(1, random);
    expect(t.reading).not.toBe(first);
    expect(changed.flat()).toContain(5700);
    expect(Number(t.value(5601))).toBeLessThanOrEqual(t.reading);
    expect(Number(t.value(5602))).toBeGreaterThanOrEqual(t.reading);
    t.update(-10);
    expect(t.value(5601)).toBe(-10);
    t.resetMinMax();
    expect(t.value(5602)).toBe(-10);
  });

  it('the light counts on time and energy only while on', () => {
    const never = () => 0.999; // no one touches the switch
    const { instance: light } = bound(3311, new LightControl(10));
    light.tick(10, never);
    expect(light.value(5852)).toBe(0);
    light.set(5850, true);
    for (let i = 0; i < 1800; i++) light.tick(1, never);
    expect(light.value(5852)).toBe(1800);
    expect(light.value(5805)).toBeCloseTo(5, 4); // 10 W for half an hour
  });

  it('the timer runs Delay Duration seconds after Trigger, then counts an expiry', () => {
    const never = () => 0.999;
    const { instance: timer } = bound(3340, new Timer(3));
    timer.execute(5523, [], { kind: 'local' });
    expect(timer.running).toBe(true);
    for (let i = 0; i < 40; i++) timer.tick(0.05, never); // 2 s in small steps (rate 20)
    expect(timer.value(5538)).toBe(1);
    expect(timer.value(5544)).toBe(2);
    timer.tick(2, never);
    expect(timer.running).toBe(false);
    expect(timer.value(5534)).toBe(1);
    timer.set(5850, false);
    expect(() => timer.execute(5523, [], { kind: 'local' })).toThrow(/disabled/);
  });

  it('the location walks even in small steps (a high --rate)', () => {
    const random = seededRandom(4);
    const { instance: here } = bound(6, new Location(() => 0, random));
    const start = [Number(here.value(0)), Number(here.value(1))];
    for (let i = 0; i < 2_000; i++) here.tick(0.01, random);
    const moved = Math.hypot(Number(here.value(0)) - start[0]!, Number(here.value(1)) - start[1]!) * 111_320;
    expect(moved).toBeGreaterThan(0.5);
    expect(moved).toBeLessThan(40); // 20 s at walking pace
  });

  it('a button press is true for one tick and counted', () => {
    const { instance: button } = bound(3347, new PushButton());
    button.press();
    expect(button.value(5500)).toBe(true);
    button.tick(1, () => 0.999);
    expect(button.value(5500)).toBe(false);
    expect(button.value(5501)).toBe(1);
  });
});

describe('the object catalog', () => {
  it('parses names and ids, always with Device, and rejects unknown ones', () => {
    expect(parseObjectList('temperature, 3311')).toEqual([3, 3303, 3311]);
    expect(parseObjectList('all')).toEqual([...ALL_OBJECT_IDS]);
    expect(() => parseObjectList('temperature,toaster')).toThrow(
      'unknown object "toaster" in --objects; choose from: device (3), connectivity (4), location (6), temperature (3303), humidity (3304), setpoint (3308), light (3311), timer (3340), button (3347), or "all"',
    );
    expect(() => parseObjectList('3305')).toThrow(/unknown object "3305"/);
  });

  it('builds one instance per object, every one valid against its model', () => {
    const objects = buildDeviceObjects(ALL_OBJECT_IDS, {
      endpointName: 'dev-1',
      random: seededRandom(1),
      now: () => 1_700_000_000_000,
      ipAddress: () => '127.0.0.1',
      bindings: 'U',
      reboot: () => {},
      factoryReset: () => {},
    });
    expect(objects.definitions.map((d) => d.id)).toEqual([...ALL_OBJECT_IDS]);
    for (const def of objects.definitions) {
      const instance = (def.instances as Record<number, SimulatedInstance>)[0]!;
      bound(def.id, instance); // throws when a value does not fit the model
      const model = models.latest(def.id)!;
      for (const id of instance.resourceIds()) expect(model.resources.has(id), `${def.id}/${id}`).toBe(true);
      for (const [id, r] of model.resources)
        if (r.mandatory) expect(instance.resourceIds(), `${def.id}/${id}`).toContain(id);
    }
    const random = seededRandom(2);
    for (let i = 0; i < 100; i++) for (const t of objects.tickables) t.tick(1, random);
  });
});
