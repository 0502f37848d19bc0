/**
 * A node whose start fails after it joined the cluster (here: listing the shared credentials
 * fails, the key holds the wrong type) rejects with that error and leaves nothing behind: no
 * heartbeat, no open CoAP port. Ports 27567–27569.
 */
import { createSocket } from 'node:dgram';
import { connectRedis } from '@lwm2m-ts/store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServerProcess, requireRedisServer, startClusterNode } from './cluster-harness';

const BASE = 27567;
const REDIS_PORT = 27569;

if (requireRedisServer('server-app cluster start failure')) {
  describe('cluster: a start that fails after joining', () => {
    let redis: RedisServerProcess;
    beforeAll(async () => {
      redis = await RedisServerProcess.start({ port: REDIS_PORT });
    }, 20_000);
    afterAll(async () => {
      await redis?.stop();
    });

    it('rejects, leaves the cluster and opens no port', async () => {
      const client = await connectRedis({ url: redis.url });
      try {
        const prefix = `t${process.pid}:`;
        await client.set(`${prefix}sec:data`, 'not a hash'); // HSCAN answers WRONGTYPE
        const error = await startClusterNode(redis.url, BASE, 0).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect(String((error as Error).message)).toMatch(/WRONGTYPE/);
        expect(await client.smembers(`${prefix}cluster:nodes`)).toEqual([]);
        expect(await client.exists(`${prefix}cluster:node:node-1`)).toBe(0);
        // The CoAP port is free (nothing half-started holds it).
        const socket = createSocket('udp4');
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(BASE, '127.0.0.1', () => resolve());
        });
        socket.close();
      } finally {
        client.disconnect();
      }
    });
  });
}
