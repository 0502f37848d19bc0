/**
 * Two cluster nodes in this process on one real redis-server: the nodes list, a REST read sent
 * to the node that does not own the device (forwarded to the owner over Redis), and a 504 when
 * the owner stops answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, type Json, waitFor } from './app-harness';
import { requireRedisServer, startClusterNode, startTwoNodes, type TwoNodeCluster } from './cluster-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

const BASE = 27000;
const REDIS_PORT = 27090;

if (requireRedisServer('server-app cluster forwarding')) {
  describe('cluster: nodes and forwarding', () => {
    let cluster: TwoNodeCluster;
    let a: ServerApp;
    let b: ServerApp;
    let device: SimulatedDevice;

    beforeAll(async () => {
      cluster = await startTwoNodes(REDIS_PORT, BASE);
      ({ a, b } = cluster);
      device = await startSimulatedDevice(a.coapPort, 'fwd-1');
      await waitFor(async () => (await api(b, 'GET', '/api/clients/fwd-1')).status === 200);
    }, 30_000);
    afterAll(async () => {
      await device?.stop();
      await cluster?.close();
    });

    it('lists both nodes with the devices each owns', async () => {
      const nodes = await waitFor(async () => {
        const r = await api(b, 'GET', '/api/cluster/nodes');
        return r.json.nodes.find((n: Json) => n.id === 'node-1' && n.devices === 1) ? r.json.nodes : undefined;
      });
      expect(nodes).toEqual([
        { id: 'node-1', devices: 1, lastSeen: expect.any(Number), http: a.httpUrl },
        { id: 'node-2', devices: 0, lastSeen: expect.any(Number), http: b.httpUrl },
      ]);
    });

    it('forwards a read sent to the non-owner node and returns the owner answer', async () => {
      device.setTemperature(23.25);
      const response = await fetch(`${b.httpUrl}/api/clients/fwd-1/3303/0/5700`);
      expect(response.headers.get('x-lwm2m-served-by')).toBe('node-1');
      const read = { status: response.status, json: await response.json() };
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({ endpoint: 'fwd-1', code: '2.05', content: { id: 5700, value: 23.25 } });
      // A write and an execute go the same way; a device error comes back as it is.
      expect((await api(b, 'PUT', '/api/clients/fwd-1/3/0/15', 'Europe/Paris')).status).toBe(200);
      expect((await api(a, 'GET', '/api/clients/fwd-1/3/0/15')).json.content.value).toBe('Europe/Paris');
      expect((await api(b, 'GET', '/api/clients/fwd-1/3/0/99')).status).toBe(404);
    });

    it('skips malformed RPC and event stream entries and keeps serving', async () => {
      const redisClient = a.cluster!.stores.redis;
      const prefix = `t${process.pid}:`;
      await redisClient.xadd(`${prefix}cluster:rpc:node-1`, '*', 'garbage', '1');
      await redisClient.xadd(
        `${prefix}cluster:rpc:node-1`,
        '*',
        'id',
        'x',
        'from',
        'node-2',
        'deadline',
        '9e15',
        'body',
        '{',
      );
      await redisClient.xadd(`${prefix}cluster:reply:node-2`, '*', 'id', 'unknown', 'body', '{}');
      await redisClient.xadd(`${prefix}cluster:events`, '*', 'node', 'evil', 'e', 'not json');
      await redisClient.xadd(`${prefix}cluster:events`, '*', 'e', '{"type":"registered"}');
      // The malformed request got a 400 answer on node-2's reply stream, for a call nobody waits for.
      await waitFor(async () => {
        const replies = await redisClient.xrange(`${prefix}cluster:reply:node-2`, '-', '+');
        return replies.some(([, f]) => f.includes('x') && f.join(' ').includes('malformed forwarded request'));
      });
      const read = await api(b, 'GET', '/api/clients/fwd-1/3303/0/5700');
      expect(read.status).toBe(200);
    });

    it('answers 504 when the owner node does not answer in time', async () => {
      // node-1 keeps beating but its HTTP side is gone: forwarded requests get no answer.
      const stopped = await startClusterNode(cluster.redis.url, BASE, 2, { nodeId: 'mute' });
      await stopped.http.close(); // serving forwarded requests needs the HTTP app: none now
      await stopped.cluster!.ownership.claim('fwd-1');
      try {
        const started = Date.now();
        const read = await api(b, 'GET', '/api/clients/fwd-1/3303/0/5700?timeout=0.5');
        expect(read.status).toBe(504);
        expect(read.json).toMatchObject({ error: 'owner-timeout' });
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await a.cluster!.ownership.claim('fwd-1');
        await stopped.close();
      }
    });
  });
}
