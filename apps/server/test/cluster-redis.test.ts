/**
 * Cluster mode and Redis itself: unreachable at start is a clear error (and nothing is left
 * listening); a Redis restart mid-run (kill -9, AOF) is a pause: heartbeats, forwarding and the
 * event stream carry on once the nodes have reconnected.
 */
import { RedisUnavailableError } from '@lwm2m-ts/store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApp } from '../src/index';
import { api, type Json, waitFor } from './app-harness';
import { RedisServerProcess, readSse, requireRedisServer, startClusterNode } from './cluster-harness';
import { type SimulatedDevice, startSimulatedDevice } from './simulated-device';

const BASE = 27060;
const REDIS_PORT = 27093;
const NO_REDIS_PORT = 27099;

if (requireRedisServer('server-app cluster and Redis restarts')) {
  describe('cluster: Redis unreachable at start', () => {
    it('rejects with RedisUnavailableError naming the URL before opening any port', async () => {
      const url = `redis://127.0.0.1:${NO_REDIS_PORT}`;
      const error = await startClusterNode(url, BASE, 4, { cluster: { connectTimeoutMs: 300 } }).catch((e) => e);
      expect(RedisUnavailableError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(`127.0.0.1:${NO_REDIS_PORT}`);
      expect((error as Error).message).toMatch(/Is redis-server running/);
    });
  });

  describe('cluster: Redis restarted mid-run', () => {
    let redis: RedisServerProcess;
    let a: ServerApp;
    let b: ServerApp;
    let device: SimulatedDevice;

    beforeAll(async () => {
      redis = await RedisServerProcess.start({ port: REDIS_PORT, durable: true });
      a = await startClusterNode(redis.url, BASE, 0);
      b = await startClusterNode(redis.url, BASE, 1);
      device = await startSimulatedDevice(a.coapPort, 'rr-1');
      await waitFor(async () => (await api(b, 'GET', '/api/clients/rr-1')).status === 200);
    }, 30_000);
    afterAll(async () => {
      await device?.stop();
      await a?.close();
      await b?.close();
      await redis?.stop();
    });

    it('reconnects: nodes beat again, forwarding and events work after the restart', async () => {
      const observe = await api(b, 'POST', '/api/clients/rr-1/3303/0/5700/observe');
      expect(observe.status).toBe(200);
      await redis.restart();
      // Both nodes are listed again (their heartbeats went through the new connection).
      await waitFor(async () => {
        const r = await api(b, 'GET', '/api/cluster/nodes').catch(() => undefined);
        const ids = (r?.json?.nodes as Json[] | undefined)?.map((n) => n.id);
        return ids?.length === 2 ? ids : undefined;
      }, 15_000);
      const events = readSse(`${b.httpUrl}/api/events?endpoint=rr-1&types=notification`, 1, 15_000);
      // The event reader of node B re-issued its XREAD: wait until a notification gets through.
      await new Promise((r) => setTimeout(r, 300));
      device.setTemperature(12.5);
      const [notification] = await events;
      expect(notification?.data).toMatchObject({ observationId: observe.json.observationId, content: { value: 12.5 } });
      const read = await api(b, 'GET', '/api/clients/rr-1/3303/0/5700');
      expect(read.status).toBe(200);
      expect(read.json.content.value).toBe(12.5);
    }, 30_000);
  });
}
