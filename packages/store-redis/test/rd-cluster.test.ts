/** Two Resource Directory nodes sharing one RedisRdStore keyspace (core API, real clock). */
import { makePeer } from '@lwm2m-ts/coap';
import { parseLinkFormat } from '@lwm2m-ts/codec';
import { parseLookupQuery, parseRegistrationParameters, type RdEvent, ResourceDirectory } from '@lwm2m-ts/rd';
import { describe, expect, it } from 'vitest';
import { RedisRdStore } from '../src/redis-rd-store';
import { useRedis } from './use-redis';

const source = { peer: makePeer('2001:db8::9', 5683), sourceBase: 'coap://[2001:db8::9]:5683' };
const params = (q: string) => parseRegistrationParameters(q.split('&'));
const eps = (links: { attributes: readonly { name: string; value: string | true }[] }[]) =>
  links.map((l) => l.attributes.find((a) => a.name === 'ep')?.value);

const redis = useRedis('ResourceDirectory on RedisRdStore');
if (redis) {
  describe('ResourceDirectory nodes on one Redis', () => {
    it('registrations made at one node are looked up, updated and removed at the other', async () => {
      const options = await redis.store();
      const nodeA = new ResourceDirectory({ store: new RedisRdStore(options) });
      const nodeB = new ResourceDirectory({
        store: new RedisRdStore({ redis: await redis.client(), prefix: options.prefix }),
      });
      try {
        const sensor = await nodeA.register(
          params('ep=sensor&lt=60&et=oic.d.sensor'),
          parseLinkFormat('</t>;rt="temperature";if="sensor"'),
          source,
        );
        await nodeA.register(params('ep=lamp&lt=60'), parseLinkFormat('</l>;rt="light"'), source);
        expect(eps(await nodeB.lookupEndpoints(parseLookupQuery(['rt=temperature'])))).toStrictEqual(['sensor']);
        expect(eps(await nodeB.lookupEndpoints(parseLookupQuery([])))).toStrictEqual(['sensor', 'lamp']);
        expect(eps(await nodeB.lookupEndpoints(parseLookupQuery(['page=1', 'count=1'])))).toStrictEqual(['lamp']);
        await nodeB.update(sensor.id, params('lt=120'), parseLinkFormat('</h>;rt="humidity"'), source);
        expect(eps(await nodeA.lookupEndpoints(parseLookupQuery(['rt=temperature'])))).toStrictEqual([]);
        expect((await nodeA.read(sensor.id, source)).lt).toBe(120);
        await nodeA.remove(sensor.id, source);
        expect(eps(await nodeB.lookupEndpoints(parseLookupQuery([])))).toStrictEqual(['lamp']);
      } finally {
        nodeA.close();
        nodeB.close();
      }
    });

    it('an expired registration is reported by exactly one node', async () => {
      const options = await redis.store();
      const nodeA = new ResourceDirectory({ store: new RedisRdStore(options), minLifetimeS: 1 });
      const nodeB = new ResourceDirectory({
        store: new RedisRdStore({ redis: await redis.client(), prefix: options.prefix }),
        minLifetimeS: 1,
      });
      const expired: string[] = [];
      const record = (node: string) => (e: RdEvent) => {
        if (e.type === 'expired') expired.push(`${node}:${e.registration.ep}`);
      };
      nodeA.onChange(record('A'));
      nodeB.onChange(record('B'));
      try {
        await nodeA.register(params('ep=short&lt=1'), [], source);
        // Node B learns of it only through the store; it sweeps too, on its own schedule.
        const sweepB = setInterval(() => void nodeB.sweep(), 50);
        for (let i = 0; i < 60 && expired.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
        clearInterval(sweepB);
        await new Promise((r) => setTimeout(r, 200));
        expect(expired).toHaveLength(1);
        expect(expired[0]).toMatch(/^[AB]:short$/);
        expect(await nodeA.store.size()).toBe(0);
      } finally {
        nodeA.close();
        nodeB.close();
      }
    });
  });
}
