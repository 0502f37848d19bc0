/**
 * The tier-2 behaviour suite: one LwM2M conversation between @lwm2m-ts/server and
 * @lwm2m-ts/client, run unchanged over whatever transport `makePair` sets up. Real time
 * (sockets are real); timing checks are lower bounds (pmin) so a slow machine cannot fail them.
 */
import { ContentFormat } from '@lwm2m-ts/codec';
import { LwM2mValue, ObjectInstance, Resource, type SingleResource } from '@lwm2m-ts/objects';
import type { Notification } from '@lwm2m-ts/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANUFACTURER, VELOCITY } from './device';
import { type LwM2mPair, type MakePair, until, within } from './pair';

const F = ContentFormat;
/** Formats for a single resource value, by name. */
export const SINGLE_VALUE_FORMATS = {
  text: F.TEXT_PLAIN,
  tlv: F.LWM2M_TLV,
  'senml-json': F.SENML_JSON,
  'senml-cbor': F.SENML_CBOR,
  'lwm2m-cbor': F.LWM2M_CBOR,
  'lwm2m-json (legacy 1.0)': F.LWM2M_JSON,
} as const;
/** Formats that carry an object instance (text and opaque cannot). */
export const TREE_FORMATS = {
  tlv: F.LWM2M_TLV,
  'senml-json': F.SENML_JSON,
  'senml-cbor': F.SENML_CBOR,
  'lwm2m-cbor': F.LWM2M_CBOR,
  'lwm2m-json (legacy 1.0)': F.LWM2M_JSON,
} as const;
/** Formats of Read-/Write-Composite. */
export const COMPOSITE_FORMATS = {
  'senml-json': F.SENML_JSON,
  'senml-cbor': F.SENML_CBOR,
  'lwm2m-cbor': F.LWM2M_CBOR,
} as const;

const STEP_MS = 10_000;
const float = (id: number, v: number) => Resource.single(id, LwM2mValue.float(v));
const bool = (id: number, v: boolean) => Resource.single(id, LwM2mValue.boolean(v));
const int = (id: number, v: number) => Resource.single(id, LwM2mValue.integer(v));
const str = (id: number, v: string) => Resource.single(id, LwM2mValue.string(v));

/** Numbers from any numeric LwM2M value (integers may decode as bigint or float). */
function numberOf(node: unknown): number | undefined {
  const n = node as { kind?: string; value?: { value?: unknown } } | undefined;
  if (n?.kind !== 'resource' || n.value === undefined) return undefined;
  const v = n.value.value;
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : undefined;
}

export interface BehaviourOptions {
  /**
   * How much later than the server sees it a notification may have left the client (ms): the
   * second pmin check compares arrival times, so retransmissions on a lossy link shift them.
   */
  readonly deliverySlackMs?: number;
}

export function describeLwM2mBehaviour(name: string, makePair: MakePair, options: BehaviourOptions = {}): void {
  const slack = options.deliverySlackMs ?? 100;
  describe(`LwM2M behaviour over ${name}`, () => {
    let pair: LwM2mPair;
    const ep = () => pair.device.endpointName;
    const step = <T>(p: Promise<T>, what: string) => within(p, STEP_MS, `${name}: ${what}`);

    beforeAll(async () => {
      pair = await makePair();
    });
    afterAll(async () => {
      await pair?.close();
    });

    it('registers: the server stores the endpoint, version, lifetime and object links', async () => {
      const r = pair.registration;
      expect(r).toMatchObject({ endpoint: ep(), lwm2mVersion: '1.1', lifetime: 300 });
      for (const link of ['</3/0>', '</3303/0>', '</3336/0>', '</3311/0>', '</3311/2>', '</3308/0>', '</3340/0>'])
        expect(r.objectLinks).toContain(link);
      expect(r.objectLinks).not.toContain('</0/0>'); // Security is never announced
      expect(r.peer.identity?.kind).toBe(pair.identityKind);
      expect((await pair.server.getRegistration(ep()))?.id).toBe(r.id);
      expect(pair.device.client.servers()).toMatchObject([{ shortServerId: 1, registered: true }]);
    });

    describe.each(Object.entries(SINGLE_VALUE_FORMATS))('reads a single resource as %s', (_f, format) => {
      it('/3/0/0 (string) and /3303/0/5700 (float)', async () => {
        const manufacturer = await step(pair.server.read(ep(), '/3/0/0', { format }), 'read /3/0/0');
        expect(manufacturer.code).toBe('2.05');
        expect(manufacturer.content).toEqual(str(0, MANUFACTURER));
        const temperature = await step(pair.server.read(ep(), '/3303/0/5700', { format }), 'read 5700');
        expect(temperature.code).toBe('2.05');
        expect(numberOf(temperature.content)).toBe(21.5);
      });
    });

    it('reads an opaque resource as application/octet-stream, and refuses opaque for a string (4.06)', async () => {
      const velocity = await step(pair.server.read(ep(), '/3336/0/5517', { format: F.OCTET_STREAM }), 'opaque');
      expect(velocity.code).toBe('2.05');
      const value = (velocity.content as SingleResource | undefined)?.value;
      expect(value?.type).toBe('opaque');
      // Compare bytes: a socket transport hands out Buffers, MemoryNetwork plain Uint8Arrays.
      expect([...((value?.value as Uint8Array | undefined) ?? [])]).toEqual([...VELOCITY]);
      const refused = await step(pair.server.read(ep(), '/3/0/0', { format: F.OCTET_STREAM }), 'opaque string');
      expect(refused.code).toBe('4.06');
    });

    describe.each(Object.entries(TREE_FORMATS))('reads an object instance as %s', (_f, format) => {
      it('/3/0 carries the manufacturer and battery level', async () => {
        const device = await step(pair.server.read(ep(), '/3/0', { format }), 'read /3/0');
        expect(device.code).toBe('2.05');
        const instance = device.content as ObjectInstance;
        expect(instance.kind).toBe('object-instance');
        expect(instance.resources.get(0)).toEqual(str(0, MANUFACTURER));
        expect(numberOf(instance.resources.get(9))).toBe(87);
      });
    });

    it('refuses text/plain for an object instance with 4.06', async () => {
      const res = await step(pair.server.read(ep(), '/3/0', { format: F.TEXT_PLAIN }), 'text /3/0');
      expect(res.code).toBe('4.06');
    });

    describe.each(Object.entries(SINGLE_VALUE_FORMATS))('writes (replace) a resource as %s', (_f, format) => {
      it('/3308/0/5900 takes the new set point', async () => {
        const target = 15 + Object.values(SINGLE_VALUE_FORMATS).indexOf(format);
        const res = await step(pair.server.write(ep(), '/3308/0/5900', float(5900, target), { format }), 'write');
        expect(res.code).toBe('2.04');
        expect(pair.device.thermostat.value(5900)).toBe(target);
      });
    });

    describe.each(Object.entries(TREE_FORMATS))('writes an object instance as %s', (_f, format) => {
      it('replace sets both resources; a partial update keeps the one not written', async () => {
        const light = pair.device.lights[0]!;
        const replace = ObjectInstance.of(0, [bool(5850, false), int(5851, 40)]);
        const replaced = await step(pair.server.write(ep(), '/3311/0', replace, { format }), 'replace');
        expect(replaced.code).toBe('2.04');
        expect([light.value(5850), light.value(5851)]).toEqual([false, 40]);
        const partial = ObjectInstance.of(0, [int(5851, 55)]);
        const updated = await step(
          pair.server.write(ep(), '/3311/0', partial, { format, mode: 'update' }),
          'partial update',
        );
        expect(updated.code).toBe('2.04');
        expect([light.value(5850), light.value(5851)]).toEqual([false, 55]);
      });
    });

    it('refuses to write a read-only resource with 4.05', async () => {
      const res = await step(pair.server.write(ep(), '/3/0/0', str(0, 'x')), 'write R');
      expect(res.code).toBe('4.05');
    });

    it('executes with arguments: the device gets them parsed', async () => {
      const before = pair.device.triggers.length;
      const args = [{ id: 0, value: 'on 23' }, { id: 3 }];
      const res = await step(pair.server.execute(ep(), '/3340/0/5523', { arguments: args }), 'execute');
      expect(res.code).toBe('2.04');
      await until(() => pair.device.triggers.length > before, 2_000, 'execute action ran');
      expect(pair.device.triggers.at(-1)).toEqual([
        { digit: 0, value: 'on 23' },
        { digit: 3, value: undefined },
      ]);
    });

    it('creates an instance (announced in an Update) and deletes it', async () => {
      const updated = new Promise<string>((resolve) => {
        const off = pair.server.events.on('updated', ({ registration }) => {
          if (!registration.objectLinks.includes('</3303/7>')) return;
          off();
          resolve(registration.objectLinks);
        });
      });
      const instance = ObjectInstance.of(7, [float(5700, 3.5), str(5701, 'Cel')]);
      const created = await step(pair.server.create(ep(), '/3303', instance), 'create');
      expect(created.code).toBe('2.01');
      expect(numberOf((await step(pair.server.read(ep(), '/3303/7/5700'), 'read new')).content)).toBe(3.5);
      await step(updated, 'Update announcing /3303/7');
      const deleted = await step(pair.server.delete(ep(), '/3303/7'), 'delete');
      expect(deleted.code).toBe('2.02');
      expect((await step(pair.server.read(ep(), '/3303/7'), 'read deleted')).code).toBe('4.04');
    });

    it('discovers the resources of an instance', async () => {
      const res = await step(pair.server.discover(ep(), '/3303/0'), 'discover');
      expect(res.code).toBe('2.05');
      const paths = res.links.map((l) => l.path);
      expect(paths).toContain('/3303/0');
      expect(paths).toEqual(expect.arrayContaining(['/3303/0/5700', '/3303/0/5701', '/3303/0/5605']));
      expect(paths.some((p) => p.startsWith('/3/'))).toBe(false);
    });

    it('observes with pmin: two value changes give two notifications, each at least pmin apart', async () => {
      const { server, device } = pair;
      const attrs = await step(server.writeAttributes(ep(), '/3303/0/5700', { pmin: 1 }), 'write-attributes');
      expect(attrs.code).toBe('2.04');
      const discovered = await step(server.discover(ep(), '/3303/0/5700'), 'discover attributes');
      expect(discovered.links[0]?.attributes.pmin).toBe('1');
      const seen: { value: number | undefined; at: number }[] = [];
      const startedAt = Date.now(); // <= when the client answered, so pmin runs from later than this
      const observation = await step(server.observe(ep(), '/3303/0/5700'), 'observe');
      expect(observation.response.code).toBe('2.05');
      expect(numberOf(observation.response.content)).toBe(21.5);
      const id = observation.info!.id;
      const off = server.events.on('notification', (n: Notification) => {
        if (n.observation.id === id) seen.push({ value: numberOf(n.content), at: Date.now() });
      });
      try {
        device.sensor.update(22.25);
        await until(() => seen.length >= 1, 5_000, 'first notification');
        expect(seen[0]!.value).toBe(22.25);
        expect(seen[0]!.at - startedAt).toBeGreaterThanOrEqual(990);
        device.sensor.update(23.75);
        await until(() => seen.length >= 2, 5_000, 'second notification');
        expect(seen[1]!.value).toBe(23.75);
        expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1_000 - slack);
        await step(observation.cancel('active'), 'cancel');
        device.sensor.update(19);
        await new Promise((r) => setTimeout(r, 1_300));
        expect(seen.map((s) => s.value)).toEqual([22.25, 23.75]);
        expect(await server.listObservations(ep())).toEqual([]);
      } finally {
        off();
        await server.writeAttributes(ep(), '/3303/0/5700', { pmin: null }).catch(() => {});
      }
    });

    it('observe-composite: a thermostat change is notified with every observed path', async () => {
      const { server, device } = pair;
      const observation = await step(
        server.observeComposite(ep(), ['/3311/2/5850', '/3308/0/5900']),
        'observe-composite',
      );
      expect(observation.response.code).toBe('2.05');
      expect(observation.isSuccess()).toBe(true);
      const iterator = observation[Symbol.asyncIterator]();
      device.thermostat.set(5900, 24.5);
      const next = await step(iterator.next(), 'composite notification');
      const content = next.value?.compositeContent;
      expect(content && numberOf(content.get('/3308/0/5900'))).toBe(24.5);
      expect(content?.has('/3311/2/5850')).toBe(true);
      await step(observation.cancel('active'), 'cancel composite');
    });

    describe.each(Object.entries(COMPOSITE_FORMATS))('composite operations as %s', (_f, format) => {
      it('Write-Composite (seed: two lights off, third dimmed, thermostat 18) then Read-Composite', async () => {
        const { server, device } = pair;
        for (const l of device.lights) l.set(5850, true);
        const write = await step(
          server.writeComposite(
            ep(),
            {
              '/3311/0/5850': bool(5850, false),
              '/3311/1/5850': bool(5850, false),
              '/3311/2/5851': int(5851, 20),
              '/3308/0/5900': float(5900, 18),
            },
            { format },
          ),
          'write-composite',
        );
        expect(write.code).toBe('2.04');
        expect(device.lights.map((l) => l.value(5850))).toEqual([false, false, true]);
        expect(device.lights[2]!.value(5851)).toBe(20);
        expect(device.thermostat.value(5900)).toBe(18);
        const read = await step(
          server.readComposite(ep(), ['/3311/1/5850', '/3308/0', '/3311/2/5851'], {
            // The request is a path list, which only SenML can carry (LwM2M CBOR answers it).
            requestFormat: format === F.SENML_JSON ? F.SENML_JSON : F.SENML_CBOR,
            responseFormat: format,
          }),
          'read-composite',
        );
        expect(read.code).toBe('2.05');
        expect(read.content.get('/3311/1/5850')).toEqual(bool(5850, false));
        expect(numberOf(read.content.get('/3311/2/5851'))).toBe(20);
        const thermostat = read.content.get('/3308/0') as ObjectInstance | undefined;
        expect(numberOf(thermostat?.resources.get(5900))).toBe(18);
      });
    });

    it('Send: the server receives the pushed values as a send event', async () => {
      const received = new Promise<ReadonlyMap<string, unknown>>((resolve) => {
        const off = pair.server.events.on('send', ({ registration, content }) => {
          if (registration.endpoint !== ep()) return;
          off();
          resolve(content);
        });
      });
      pair.device.sensor.update(30.5);
      await step(pair.device.client.send(['/3303/0/5700', '/3/0/0']), 'send');
      const content = await step(received, 'send event');
      expect([...content.keys()]).toEqual(['/3303/0/5700', '/3/0/0']);
      expect(numberOf(content.get('/3303/0/5700'))).toBe(30.5);
      expect(content.get('/3/0/0')).toEqual(str(0, MANUFACTURER));
    });

    it('Update: the registration is refreshed at the same id', async () => {
      const before = await pair.server.getRegistration(ep());
      const updated = new Promise<void>((resolve) => {
        const off = pair.server.events.on('updated', ({ registration }) => {
          if (registration.endpoint !== ep()) return;
          off();
          resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 5)); // lastUpdate must be able to move
      await step(pair.device.client.triggerUpdate(1), 'trigger update');
      await step(updated, 'updated event');
      const after = await pair.server.getRegistration(ep());
      expect(after?.id).toBe(before?.id);
      expect(after!.lastUpdate).toBeGreaterThan(before!.lastUpdate);
    });

    it('De-register: stop() removes the registration', async () => {
      const gone = new Promise<string>((resolve) => {
        pair.server.events.on('deregistered', ({ registration, reason }) => {
          if (registration.endpoint === ep()) resolve(reason);
        });
      });
      await step(pair.device.client.stop(), 'stop');
      expect(await step(gone, 'deregistered event')).toBe('deregistered');
      expect(await pair.server.getRegistration(ep())).toBeUndefined();
    });
  });
}
