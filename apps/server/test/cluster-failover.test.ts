/**
 * Failover, in process: a device (behind a test UDP relay standing in for the balancer) is owned
 * by node A and observed through node B; A stops; the relay sends the device to B; its next
 * Update makes B the owner, B re-establishes the stored observation under the same id, and
 * notifications go on reaching the event stream; the nodes list follows. A device that only
 * notifies (no Update) is taken over by its notification: the new node finds the token in the
 * shared observation store and adopts the observation.
 */
import { describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, type Json, waitFor } from './app-harness';
import { readSse, requireRedisServer, useRelayedNodes } from './cluster-harness';
import { startSimulatedDevice } from './simulated-device';

const BASE = 27040;
// Relays: front port, upstream port + 1.
const RELAY_FRONT = 27054;
const RELAY2_FRONT = 27056;
const RELAY3_FRONT = 27058;
// One redis-server per describe: 27092, 27094, 27095 (27093 is cluster-redis.test.ts's).
const REDIS_PORT = 27092;
const REDIS2_PORT = 27094;
const REDIS3_PORT = 27095;

if (requireRedisServer('server-app cluster failover')) {
  describe('cluster: failover to another node', () => {
    const env = useRelayedNodes(REDIS_PORT, BASE, 0, RELAY_FRONT);

    it('moves ownership with the next Update after the owner stopped; the observation lives on', async () => {
      const { a, b, relay } = env;
      const device = await startSimulatedDevice(RELAY_FRONT, 'fo-1');
      env.device = device;
      await waitFor(async () => (await api(b, 'GET', '/api/clients/fo-1')).status === 200);
      const observe = await api(b, 'POST', '/api/clients/fo-1/3303/0/5700/observe');
      expect(observe.status).toBe(200);
      const observationId = observe.json.observationId as string;
      const registrationId = (await api(b, 'GET', '/api/clients/fo-1')).json.registrationId;
      await waitFor(async () => nodeDevices(b, 'node-1', 1));

      await a.close();
      relay.target = b.coapPort;
      const events = readSse(`${b.httpUrl}/api/events?endpoint=fo-1&types=updated,notification`, 3);
      await new Promise((r) => setTimeout(r, 200));
      await device.client.triggerUpdate();
      // B re-observes at once (its first answer is a notification), then a change notifies.
      await waitFor(async () => nodeDevices(b, 'node-2', 1));
      await new Promise((r) => setTimeout(r, 300));
      device.setTemperature(41.5);
      const seen = await events;
      expect(seen.map((e) => e.type)).toEqual(['updated', 'notification', 'notification']);
      expect(seen[1]!.data).toMatchObject({ observationId });
      expect(seen[2]!.data).toMatchObject({ observationId, content: { value: 41.5 } });

      const nodes = (await api(b, 'GET', '/api/cluster/nodes')).json.nodes;
      expect(nodes.map((n: Json) => [n.id, n.devices])).toEqual([['node-2', 1]]);
      const client = (await api(b, 'GET', '/api/clients/fo-1')).json;
      expect(client.registrationId).toBe(registrationId);
      const observations = (await api(b, 'GET', '/api/clients/fo-1/observations')).json;
      expect(observations.map((o: Json) => o.id)).toEqual([observationId]);
      const read = await api(b, 'GET', '/api/clients/fo-1/3303/0/5700');
      expect(read.json.content.value).toBe(41.5);
    });
  });
}

if (requireRedisServer('server-app cluster failover by notification')) {
  describe('cluster: failover by a notification', () => {
    const env = useRelayedNodes(REDIS2_PORT, BASE, 4, RELAY2_FRONT);

    it('adopts the observation by its token at the node the notification reaches', async () => {
      const { a, b, relay } = env;
      const device = await startSimulatedDevice(RELAY2_FRONT, 'fo-2');
      env.device = device;
      await waitFor(async () => (await api(b, 'GET', '/api/clients/fo-2')).status === 200);
      const observe = await api(b, 'POST', '/api/clients/fo-2/3303/0/5700/observe');
      expect(observe.status).toBe(200);
      await a.close();
      relay.target = b.coapPort;
      const events = readSse(`${b.httpUrl}/api/events?endpoint=fo-2&types=notification`, 2);
      await new Promise((r) => setTimeout(r, 200));
      device.setTemperature(33.5);
      await waitFor(async () => nodeDevices(b, 'node-6', 1));
      await new Promise((r) => setTimeout(r, 100));
      device.setTemperature(34.5);
      const seen = await events;
      expect(seen.map((e) => [e.data.observationId, (e.data.content as Json).value])).toEqual([
        [observe.json.observationId, 33.5],
        [observe.json.observationId, 34.5],
      ]);
      expect((await api(b, 'GET', '/api/clients/fo-2/observations')).json.map((o: Json) => o.id)).toEqual([
        observe.json.observationId,
      ]);
    });
  });
}

if (requireRedisServer('server-app cluster failover with queued requests')) {
  describe('cluster: queued requests survive a failover', () => {
    const env = useRelayedNodes(REDIS3_PORT, BASE, 2, RELAY3_FRONT, { awakeTimeMs: 400 });

    it('delivers, from the new owner, a request queued at the old one', async () => {
      const { a, b, relay } = env;
      const device = await startSimulatedDevice(RELAY3_FRONT, 'fo-3', { queueMode: true });
      env.device = device;
      // The owner (node-3) knows the client sleeps; node-4 answers the same through forwarding.
      await waitFor(async () => (await api(b, 'GET', '/api/clients/fo-3')).json?.sleeping === true, 5000);
      const write = await api(b, 'PUT', '/api/clients/fo-3/3/0/15', 'Asia/Tokyo');
      expect(write.status).toBe(409);
      expect(write.json).toMatchObject({ error: 'client-sleeping', queuedRequestId: expect.any(String) });

      await a.close();
      relay.target = b.coapPort;
      const events = readSse(`${b.httpUrl}/api/events?endpoint=fo-3&types=queue`, 1);
      await new Promise((r) => setTimeout(r, 200));
      await device.client.wakeAndUpdate();
      const [delivered] = await events;
      expect(delivered?.data).toMatchObject({ queuedRequestId: write.json.queuedRequestId, outcome: 'delivered' });
      expect((await api(b, 'GET', '/api/clients/fo-3/3/0/15')).json.content.value).toBe('Asia/Tokyo');
    });
  });
}

async function nodeDevices(app: ServerApp, id: string, count: number): Promise<boolean> {
  const nodes = (await api(app, 'GET', '/api/cluster/nodes')).json.nodes as Json[];
  return nodes.some((n) => n.id === id && n.devices === count);
}
