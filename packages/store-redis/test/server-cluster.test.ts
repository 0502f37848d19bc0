/**
 * Two LwM2M server nodes (createLwM2mServer) sharing the Redis stores: a device registers at
 * one node and updates / de-registers at the other, through the real CoAP registration path.
 */
import { Endpoint } from '@lwm2m-ts/coap';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createLwM2mServer } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { redisStoresOn } from '../src/create-redis-stores';
import { useRedis } from './use-redis';

const LINKS = new TextEncoder().encode('</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>');

const redis = useRedis('LwM2M server on Redis stores');
if (redis) {
  describe('createLwM2mServer with Redis stores, two nodes', () => {
    it('register at node A, update and de-register at node B', async () => {
      const prefix = redis.newPrefix();
      const network = new MemoryNetwork();
      const transportA = network.transport('server-a', { port: 5683 });
      const transportB = network.transport('server-b', { port: 5683 });
      const nodeA = createLwM2mServer({
        transport: transportA,
        ...redisStoresOn(await redis.client(), { prefix, nodeId: 'a' }).serverOptions,
      });
      const nodeB = createLwM2mServer({
        transport: transportB,
        ...redisStoresOn(await redis.client(), { prefix, nodeId: 'b' }).serverOptions,
      });
      const deviceTransport = network.transport('device');
      const device = new Endpoint({ transport: deviceTransport });
      const registered: string[] = [];
      nodeA.registrations.events.on('registered', ({ registration }) => registered.push(registration.endpoint));
      try {
        const created = await device.request({
          peer: deviceTransport.peerOf(transportA),
          method: 'POST',
          path: 'rd',
          query: ['ep=dev-cluster', 'lt=120', 'lwm2m=1.1', 'b=U', 'x-site=lyon'],
          payload: LINKS,
          contentFormat: ContentFormat.LINK_FORMAT,
        });
        expect(created.codeText).toBe('2.01');
        const location = created.locationPath;
        const seenByB = await nodeB.getRegistration('dev-cluster');
        expect(seenByB?.id).toBe(location[1]);
        expect(seenByB?.additionalAttributes).toStrictEqual({ 'x-site': 'lyon' });

        const updated = await device.request({
          peer: deviceTransport.peerOf(transportB),
          method: 'POST',
          path: location.join('/'),
          query: ['lt=600'],
        });
        expect(updated.codeText).toBe('2.04');
        expect((await nodeA.getRegistration('dev-cluster'))?.lifetime).toBe(600);

        const deleted = await device.request({
          peer: deviceTransport.peerOf(transportB),
          method: 'DELETE',
          path: location.join('/'),
        });
        expect(deleted.codeText).toBe('2.02');
        expect(await nodeA.getRegistration('dev-cluster')).toBeUndefined();
        expect(await nodeA.listRegistrations()).toStrictEqual([]);
        await new Promise((r) => setTimeout(r, 10));
        expect(registered).toStrictEqual(['dev-cluster']);
      } finally {
        await device.close();
        await nodeA.close();
        await nodeB.close();
      }
    });
  });
}
