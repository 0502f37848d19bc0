/**
 * Cluster tests: one throwaway redis-server (store-redis's test helper) and several app nodes
 * in this process sharing it, on fixed loopback ports of this suite's range (27000-27099,
 * Redis 27090-27099). Each test file takes its own block of ports.
 */
import { RedisServerProcess, requireRedisServer } from '@lwm2m-ts/store-redis/testing';
import { afterAll, beforeAll } from 'vitest';
import { type ServerApp, type ServerAppOptions, startServerApp } from '../src/index';
import type { SimulatedDevice } from './simulated-device';
import { UdpRelay } from './udp-relay';

export { RedisServerProcess, requireRedisServer };

/** Node `index` of a file whose ports start at `base`: CoAP base+2i, HTTP base+2i+1. */
export async function startClusterNode(
  redisUrl: string,
  base: number,
  index: number,
  options: Partial<ServerAppOptions> = {},
): Promise<ServerApp> {
  return startServerApp({
    coapHost: '127.0.0.1',
    coapPort: base + 2 * index,
    bootstrap: false,
    coaps: false,
    httpHost: '127.0.0.1',
    httpPort: base + 2 * index + 1,
    requestTimeoutMs: 5_000,
    redis: redisUrl,
    nodeId: `node-${index + 1}`,
    redisPrefix: `t${process.pid}:`,
    cluster: { heartbeatMs: 200, nodeTtlMs: 1000, forwardTimeoutMs: 4000 },
    ...options,
  });
}

/** One throwaway Redis and two nodes sharing it (nodes `first` and `first + 1` of the port block at `base`). */
export interface TwoNodeCluster {
  readonly redis: RedisServerProcess;
  readonly a: ServerApp;
  readonly b: ServerApp;
  /** Stops both nodes, then Redis (a node already closed by the test is fine). */
  close(): Promise<void>;
}

export async function startTwoNodes(
  redisPort: number,
  base: number,
  first = 0,
  options: Partial<ServerAppOptions> = {},
): Promise<TwoNodeCluster> {
  const redis = await RedisServerProcess.start({ port: redisPort });
  const a = await startClusterNode(redis.url, base, first, options);
  const b = await startClusterNode(redis.url, base, first + 1, options);
  return {
    redis,
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await redis.stop();
    },
  };
}

/** Two nodes with a UDP relay in front of node A: a device behind the relay moves when `relay.target` changes. */
export interface RelayedNodes {
  readonly a: ServerApp;
  readonly b: ServerApp;
  readonly relay: UdpRelay;
  /** The test's device, stopped after the tests. */
  device?: SimulatedDevice;
}

/**
 * Starts `startTwoNodes(...)` and a relay (`relayFront` -> node A, upstream socket `relayFront + 1`)
 * before the enclosing describe's tests, and stops the device, relay and cluster after them.
 */
export function useRelayedNodes(
  redisPort: number,
  base: number,
  first: number,
  relayFront: number,
  options: Partial<ServerAppOptions> = {},
): RelayedNodes {
  let cluster: TwoNodeCluster | undefined;
  const nodes = {} as { a: ServerApp; b: ServerApp; relay: UdpRelay; device?: SimulatedDevice };
  beforeAll(async () => {
    cluster = await startTwoNodes(redisPort, base, first, options);
    nodes.a = cluster.a;
    nodes.b = cluster.b;
    nodes.relay = await UdpRelay.start(relayFront, relayFront + 1, cluster.a.coapPort);
  }, 30_000);
  afterAll(async () => {
    await nodes.device?.stop();
    await nodes.relay?.close();
    await cluster?.close();
  });
  return nodes;
}

/** Reads a text/event-stream until `count` events (each `{ id, type, data }`) or the timeout. */
export async function readSse(
  url: string,
  count: number,
  timeoutMs = 10_000,
  headers: Record<string, string> = {},
): Promise<{ id?: string; type: string; data: Record<string, unknown> }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const out: { id?: string; type: string; data: Record<string, unknown> }[] = [];
  try {
    const response = await fetch(url, { signal: controller.signal, headers });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const lines = block.split('\n');
        const type = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
        if (type && data) out.push({ ...(id ? { id } : {}), type, data: JSON.parse(data) });
      }
    }
    controller.abort();
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return out;
}
