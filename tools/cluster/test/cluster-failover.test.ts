/**
 * The cluster scenario of issue 9, with real processes: a throwaway redis-server, three server
 * app nodes (the built bin, `--redis`), the test-only UDP balancer in front, and 200 LwM2M
 * devices (in-process clients) registering through the balancer. Sensor values are sequence
 * numbers set in lock-step rounds, so the SSE stream of node 3 must show each device 1, 2, ... R
 * exactly once and in order: nothing lost, nothing duplicated, across the death of node 1 and a
 * Redis restart. Needs `pnpm build` first (CI builds before testing). Loopback ports 27120-27159.
 */
import { RedisServerProcess, requireRedisServer } from '@lwm2m-ts/store-redis/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceFleet } from '../src/device-fleet';
import { requireServerBin, ServerNode } from '../src/server-node';
import { EventStream } from '../src/sse-stream';
import { UdpBalancer } from '../src/udp-balancer';
import { waitFor } from '../src/wait-for';

const REDIS_PORT = 27120;
const COAP_PORTS = [27121, 27122, 27123];
const HTTP_PORTS = [27131, 27132, 27133];
const BALANCER_PORT = 27140;
const UNREACHABLE_REDIS_PORT = 27149; // nothing listens here
const DEVICES = 200;
const LIFETIME_S = 60;

interface ClusterNodeJson {
  readonly id: string;
  readonly devices: number;
  readonly lastSeen: number;
}

async function getJson<T>(url: string, timeoutMs = 10_000): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: (await res.json()) as T };
}

async function clusterNodes(node: ServerNode): Promise<ClusterNodeJson[]> {
  const { status, body } = await getJson<{ nodes: ClusterNodeJson[] }>(`${node.httpUrl}/api/cluster/nodes`, 5000);
  if (status !== 200) throw new Error(`GET /api/cluster/nodes on ${node.id} answered ${status}`);
  return body.nodes;
}

/** Runs `task` over `items`, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

const redisAvailable = requireRedisServer('cluster failover scenario');
const bin = redisAvailable ? requireServerBin() : '';

describe.runIf(redisAvailable)('cluster of 3 server processes behind a UDP balancer', () => {
  let redis: RedisServerProcess | undefined;
  const nodes: ServerNode[] = [];
  let balancer: UdpBalancer | undefined;
  let fleet: DeviceFleet | undefined;
  let stream: EventStream | undefined;
  /** Sensor values per endpoint, in the order node 3's SSE stream delivered them. */
  const seen = new Map<string, number[]>();
  let round = 0;
  /** How long each step took (printed once at the end: the figures to look at when CI is slow). */
  const timings: string[] = [];
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await step();
    } finally {
      timings.push(`${what} ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }
  };

  const node = (i: number) => nodes[i]!;
  const lb = () => balancer!;
  const devices = () => fleet!.devices;

  /** Next lock-step round: every device gets value `round`; waits until node 3's stream showed them all. */
  async function notifyRound(timeoutMs: number): Promise<void> {
    round++;
    fleet!.setAll(round);
    const start = performance.now();
    await waitFor(
      `round ${round}: a notification of value ${round} from all ${DEVICES} devices on node 3's stream`,
      () => devices().every((d) => seen.get(d.endpoint)?.at(-1) === round),
      timeoutMs,
    ).catch((error: Error) => {
      const missing = devices().filter((d) => seen.get(d.endpoint)?.at(-1) !== round);
      throw new Error(
        `${error.message}; ${missing.length} missing, e.g. ${missing
          .slice(0, 5)
          .map((d) => `${d.endpoint} (backend ${lb().backendOf('127.0.0.1', d.port)}, seen ${seen.get(d.endpoint)})`)
          .join(', ')}`,
      );
    });
    timings.push(`round ${round} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  beforeAll(async () => {
    redis = await RedisServerProcess.start({ port: REDIS_PORT, durable: true });
    nodes.push(
      ...(await Promise.all(
        [0, 1, 2].map((i) =>
          ServerNode.start({
            bin,
            coapPort: COAP_PORTS[i]!,
            httpPort: HTTP_PORTS[i]!,
            redisUrl: redis!.url,
            nodeId: `node-${i + 1}`,
          }),
        ),
      )),
    );
    balancer = await UdpBalancer.start({
      host: '127.0.0.1',
      port: BALANCER_PORT,
      backends: COAP_PORTS,
      // Generous for a loaded machine: a node stalled for a moment must not be taken for dead.
      healthCheck: { intervalMs: 250, timeoutMs: 500, failures: 3 },
    });
    stream = await EventStream.open({
      baseUrl: node(2).httpUrl,
      types: ['notification'],
      onEvent: (event) => {
        const value = (event.content as { value?: unknown } | undefined)?.value;
        // Sequence values are 1, 2, ...: the Observe's first answer (0) and the read test's 0.5 are not part of it.
        if (typeof event.endpoint !== 'string' || typeof value !== 'number' || value < 1) return;
        const list = seen.get(event.endpoint) ?? [];
        list.push(value);
        seen.set(event.endpoint, list);
      },
    });
  }, 60_000);

  afterAll(async () => {
    console.log(`cluster scenario: ${timings.join(', ')}`);
    stream?.close();
    await fleet?.stop();
    await balancer?.close();
    for (const n of nodes) await n.kill('SIGTERM', 5000);
    await redis?.stop();
  }, 30_000);

  it('all 200 devices register through the balancer, spread over the 3 nodes', async () => {
    fleet = await timed('register', () =>
      DeviceFleet.start({
        serverUri: `coap://127.0.0.1:${BALANCER_PORT}`,
        count: DEVICES,
        prefix: 'cluster-dev',
        lifetime: LIFETIME_S,
      }),
    );
    const perBackend = [0, 1, 2].map(
      (i) =>
        lb()
          .flows()
          .filter((f) => f.backend === i).length,
    );
    expect(perBackend.reduce((a, b) => a + b)).toBe(DEVICES);
    for (const n of perBackend) expect(n).toBeGreaterThan(DEVICES / 6);
    // Every node reports the devices it owns: exactly the ones the balancer sent to it.
    const listed = await waitFor(
      'GET /api/cluster/nodes to list 3 nodes owning all 200 devices as the balancer routed them',
      async () => {
        const list = await clusterNodes(node(0));
        const counts = ['node-1', 'node-2', 'node-3'].map((id) => list.find((n) => n.id === id)?.devices);
        return counts.every((c, i) => c === perBackend[i]) ? list : undefined;
      },
      15_000,
    );
    expect(listed).toHaveLength(3);
  }, 45_000);

  it('a REST read sent to node 2 for a device owned by node 1 succeeds (forwarded to the owner)', async () => {
    const device = devices().find((d) => lb().backendOf('127.0.0.1', d.port) === 0)!;
    device.sensor.update(0.5);
    const { status, body } = await getJson<{ code: string; content?: { value?: unknown } }>(
      `${node(1).httpUrl}/api/clients/${device.endpoint}/3303/0/5700?timeout=5`,
    );
    expect(status).toBe(200);
    expect(body.code).toBe('2.05');
    expect(body.content?.value).toBe(0.5);
    device.sensor.update(0);
  }, 20_000);

  it('observations made through any node deliver to the SSE stream of node 3', async () => {
    let n = 0;
    await timed('observe', () =>
      eachLimited(devices(), 16, async (d) => {
        const via = node(n++ % 3);
        const res = await fetch(`${via.httpUrl}/api/clients/${d.endpoint}/3303/0/5700/observe?timeout=10`, {
          method: 'POST',
          signal: AbortSignal.timeout(15_000),
        });
        if (res.status !== 200)
          throw new Error(`observe ${d.endpoint} via ${via.id}: ${res.status} ${await res.text()}`);
      }),
    );
    seen.clear(); // the Observe responses themselves are not part of the sequence
    await notifyRound(15_000);
    await notifyRound(15_000);
  }, 45_000);

  it('node 1 is killed: its devices move to the other nodes, registrations and observations survive', async () => {
    const onNode1 = devices().filter((d) => lb().backendOf('127.0.0.1', d.port) === 0);
    expect(onNode1.length).toBeGreaterThan(0);
    const status = await node(0).kill('SIGKILL');
    expect(status.signal).toBe('SIGKILL');
    // Notifications first: the ones sent to the dead node are retransmitted (CON) and, once the
    // balancer's probe moved the devices, land on nodes 2 and 3.
    await notifyRound(25_000);
    expect(lb().isLive(0)).toBe(false);
    for (const d of onNode1) expect(lb().backendOf('127.0.0.1', d.port)).not.toBe(0);

    // Their next Update lands on another node (triggered now rather than waiting for 90 % of the lifetime).
    const updatesBefore = onNode1.map((d) => d.updates);
    await timed('updates', () => eachLimited(onNode1, 16, (d) => d.client.triggerUpdate()));
    for (const [i, d] of onNode1.entries()) expect(d.updates).toBeGreaterThan(updatesBefore[i]!);
    const perBackend = [1, 2].map(
      (i) =>
        lb()
          .flows()
          .filter((f) => f.backend === i).length,
    );
    await timed('node 1 gone from the list', () =>
      waitFor(
        'GET /api/cluster/nodes on node 2 to list only nodes 2 and 3, owning all 200 devices',
        async () => {
          const list = await clusterNodes(node(1));
          const ids = list.map((n) => n.id).sort();
          return (
            ids.join() === 'node-2,node-3' &&
            list.find((n) => n.id === 'node-2')?.devices === perBackend[0] &&
            list.find((n) => n.id === 'node-3')?.devices === perBackend[1]
          );
        },
        20_000,
      ),
    );

    // Every registration is still there, with its observation, seen from both live nodes.
    await eachLimited(onNode1, 8, async (d) => {
      const via = node(1 + (d.port % 2));
      const client = await getJson<{ endpoint: string }>(`${via.httpUrl}/api/clients/${d.endpoint}`);
      expect(client.status).toBe(200);
      const observations = await getJson<{ paths: string[] }[]>(
        `${via.httpUrl}/api/clients/${d.endpoint}/observations`,
      );
      expect(observations.status).toBe(200);
      expect(observations.body.map((o) => o.paths)).toEqual([['/3303/0/5700']]);
    });
    await notifyRound(20_000);
  }, 75_000);

  it('Redis restarted mid-run: the nodes reconnect and carry on', async () => {
    await timed('redis restart', () => redis!.restart());
    await timed('nodes answer again', () =>
      waitFor(
        'both live nodes to answer GET /api/cluster/nodes after the Redis restart',
        async () => (await clusterNodes(node(1))).length === 2 && (await clusterNodes(node(2))).length === 2,
        20_000,
        250,
      ),
    );
    await notifyRound(25_000);
  }, 50_000);

  it('the SSE stream has every value of every device exactly once, in order', () => {
    const expected = Array.from({ length: round }, (_, i) => i + 1);
    const wrong = devices().filter((d) => JSON.stringify(seen.get(d.endpoint)) !== JSON.stringify(expected));
    expect(
      wrong.slice(0, 5).map((d) => `${d.endpoint}: ${JSON.stringify(seen.get(d.endpoint))}`),
      `${wrong.length} devices with a lost, duplicated or reordered notification (expected ${JSON.stringify(expected)})`,
    ).toEqual([]);
    expect(stream!.malformed).toBe(0);
    expect(lb().stats()).toMatchObject({ droppedOversized: 0, droppedFlowLimit: 0, droppedForeign: 0 });
  });
});

describe.runIf(redisAvailable)('a cluster node whose Redis is unreachable at start', () => {
  it('exits non-zero with a clear error naming the Redis URL', async () => {
    const node = ServerNode.spawn({
      bin,
      coapPort: 27150,
      httpPort: 27151,
      redisUrl: `redis://127.0.0.1:${UNREACHABLE_REDIS_PORT}`,
      nodeId: 'lonely',
    });
    try {
      const status = await node.waitForExit(20_000);
      expect(status.code).not.toBe(0);
      expect(status.code).not.toBeNull();
      // The reason goes to stderr, where a shell or a supervisor shows it (stdout is the log stream).
      const shown = `stderr was ${JSON.stringify(node.stderr().slice(-500))}; stdout ended ${JSON.stringify(node.stdout().slice(-300))}`;
      expect(node.stderr(), shown).toMatch(new RegExp(`127\\.0\\.0\\.1:${UNREACHABLE_REDIS_PORT}`));
      expect(node.stderr(), shown).toMatch(/redis/i);
      expect(node.stderr(), shown).toMatch(/unavailable|unreachable|cannot connect|ECONNREFUSED/i);
    } finally {
      await node.kill('SIGKILL');
    }
  }, 30_000);
});
