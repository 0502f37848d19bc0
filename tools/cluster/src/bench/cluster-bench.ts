/**
 * Cluster benchmark (`pnpm bench`, or `pnpm --filter @lwm2m-ts/cluster-tools bench`): the built
 * server app as separate processes, measured in three set-ups one after another:
 *   memory-1  one node, in-memory stores (the baseline of the same run)
 *   redis-1   one node with --redis (throwaway redis-server)
 *   redis-3   three nodes with --redis behind the test-only UDP balancer
 * Each run: registrations/s (`REG_SECONDS` of back-to-back Registers from 32, 96, then 192 sockets,
 * one in flight each; the best level is the set-up's throughput), then notifications/s (`DEVICES` devices observed through the REST API, NON
 * notifications offered at `RATE`/s for `NOTIFY_SECONDS`, counted on node 1's SSE stream, per
 * device in order: nothing may be lost; then `SATURATE_RATE`/s (80,000) for `SATURATE_SECONDS`, more than a
 * node takes: what reaches the stream per second is the notification throughput). Server CPU µs per operation is read from /proc (node processes) and INFO cpu
 * (redis-server): on a shared machine it is the figure to compare, req/s is the scheduler's.
 * Loopback ports 27160-27199 (`_PORT_BASE` moves them: redis base, CoAP base+1..3, HTTP base+11..13,
 * balancer base+20; `_REDIS_PORT` moves redis alone). Env: CLUSTER_BENCH_CONFIGS, _REG_SECONDS, _DEVICES,
 * _RATE, _NOTIFY_SECONDS, _SATURATE_RATE, _SATURATE_SECONDS, _REG_SOCKETS (e.g. "32,96"), _CPU_PROF (folder for the servers' V8 CPU profiles), _JSON (print the results as JSON).
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '@lwm2m-ts/store-redis';
import { RedisServerProcess, redisServerAvailable } from '@lwm2m-ts/store-redis/testing';
import { SERVER_BIN, ServerNode } from '../server-node';
import { EventStream } from '../sse-stream';
import { UdpBalancer } from '../udp-balancer';
import { waitFor } from '../wait-for';
import type { LoadCommand, LoadReply } from './device-load';
import {
  commandsPerOperation,
  processCpuMicros,
  processSyscalls,
  redisCommandCalls,
  redisCpuMicros,
} from './process-cpu';

const env = (name: string, fallback: number) => Number(process.env[`CLUSTER_BENCH_${name}`] ?? fallback);
const REG_SECONDS = env('REG_SECONDS', 3);
/**
 * Registration load levels (sockets, one Register in flight each): each set-up runs every level
 * and reports the best as its throughput. 32 nearly saturates the in-memory node; a Redis node
 * waits on round trips at 32 (~20 % idle in its CPU profile) and needs more in flight (its
 * commands of one turn share a socket write, so it gains from load). A fleet re-registering
 * after an outage has thousands in flight.
 */
const REG_SOCKETS = (process.env.CLUSTER_BENCH_REG_SOCKETS ?? '32,96,192')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const DEVICES = env('DEVICES', 100);
const RATE = env('RATE', 2000);
const NOTIFY_SECONDS = env('NOTIFY_SECONDS', 3);
/** The saturation phase: notifications offered per second (more than a node takes) and for how long (0: skip). */
const SATURATE_RATE = env('SATURATE_RATE', 80_000);
const SATURATE_SECONDS = env('SATURATE_SECONDS', 2);
const RUN_LIMIT_MS = 30_000;
/** A folder: the server processes write V8 CPU profiles there (node --cpu-prof). */
const CPU_PROF = process.env.CLUSTER_BENCH_CPU_PROF;

/**
 * Pinning (default on with 2+ CPUs and `taskset`; CLUSTER_BENCH_PIN=0 turns it off): the server
 * nodes get CPU 0, everything else (this process and the balancer, the load generator, redis-server,
 * the SSE consumer) CPU 1, so a set-up's throughput is what its server node can do on one core, not
 * what is left of a machine the four processes share. In production Redis has cores of its own.
 */
const PIN =
  process.env.CLUSTER_BENCH_PIN !== '0' &&
  availableParallelism() >= 2 &&
  spawnSync('taskset', ['-V'], { timeout: 5000 }).status === 0;

/** Moves every thread of `pid` to the CPUs in `cpus` (taskset list syntax). */
function pin(pid: number | undefined, cpus: string): void {
  if (!PIN || pid === undefined) return;
  const result = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { encoding: 'utf8', timeout: 5000 });
  if (result.status !== 0) throw new Error(`taskset ${cpus} ${pid}: ${result.stderr || result.error?.message}`);
}

const PORT_BASE = env('PORT_BASE', 27160);
const REDIS_PORT = env('REDIS_PORT', PORT_BASE);
const COAP_PORTS = [PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 3];
const HTTP_PORTS = [PORT_BASE + 11, PORT_BASE + 12, PORT_BASE + 13];
const BALANCER_PORT = PORT_BASE + 20;

interface Config {
  readonly name: string;
  readonly redis: boolean;
  readonly nodes: number;
}

const CONFIGS: Config[] = [
  { name: 'memory-1', redis: false, nodes: 1 },
  { name: 'redis-1', redis: true, nodes: 1 },
  { name: 'redis-3', redis: true, nodes: 3 },
];

/** One registration load level. */
export interface RegistrationLevel {
  readonly sockets: number;
  readonly perS: number;
  readonly cpuUs: number;
  readonly redisCpuUs: number;
  readonly timeouts: number;
}

export interface RunResult {
  readonly config: string;
  /** Every level run; the fields below are those of the best (highest rate). */
  readonly registrationLevels: readonly RegistrationLevel[];
  /** Sockets of the best level. */
  readonly registrationSockets: number;
  readonly registrationsPerS: number;
  readonly registrations: number;
  readonly registerTimeouts: number;
  /** Server-side CPU (node processes + redis-server) per registration, µs. */
  readonly cpuPerRegistrationUs: number;
  readonly redisCpuPerRegistrationUs: number;
  readonly notificationsSent: number;
  readonly notificationsReceived: number;
  readonly notificationsPerS: number;
  /** Notifications/s reaching node 1's stream while `SATURATE_RATE`/s are offered (throughput; losses expected). */
  readonly saturatedNotificationsPerS: number;
  readonly saturatedOutOfOrder: number;
  readonly cpuPerSaturatedNotificationUs: number;
  /** Of it redis-server's (in production Redis runs on its own cores or machine). */
  readonly redisCpuPerSaturatedNotificationUs: number;
  readonly outOfOrder: number;
  readonly cpuPerNotificationUs: number;
  readonly redisCpuPerNotificationUs: number;
  /** Write system calls of the node processes per operation (mostly their writes to Redis). */
  readonly nodeWritesPerRegistration: number;
  readonly nodeWritesPerNotification: number;
  /** Redis commands per registration and per notification (`name calls, ...`), Redis set-ups only. */
  readonly redisCommandsPerRegistration: string;
  readonly redisCommandsPerNotification: string;
  /** Datagrams the balancer dropped or failed to send (3 nodes only). */
  readonly balancerDropped: number;
  readonly elapsedMs: number;
}

class Generator {
  readonly #child: ChildProcess;
  constructor() {
    this.#child = fork(fileURLToPath(new URL('./device-load.js', import.meta.url)), [], { stdio: 'inherit' });
  }
  ask<R extends LoadReply['reply']>(
    command: LoadCommand,
    reply: R,
    timeoutMs: number,
  ): Promise<LoadReply & { reply: R }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#child.off('message', on);
        reject(new Error(`load generator: no answer to ${command.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (m: LoadReply) => {
        if (m.reply !== reply && m.reply !== 'error') return;
        clearTimeout(timer);
        this.#child.off('message', on);
        if (m.reply === 'error') reject(new Error(`load generator: ${m.message}`));
        else resolve(m as LoadReply & { reply: R });
      };
      this.#child.on('message', on);
      this.#child.send(command);
    });
  }
  stop(): void {
    if (this.#child.pid !== undefined && this.#child.exitCode === null) process.kill(this.#child.pid, 'SIGTERM');
  }
}

/** [node processes' CPU µs, redis-server's CPU µs, redis-server's command counts, node write syscalls]. */
type CpuSample = [number, number, Map<string, number>, number];

/** CPU µs of the servers so far: [node processes, redis-server], and redis-server's command counts. */
async function serverCpu(nodes: readonly ServerNode[], redisUrl?: string): Promise<CpuSample> {
  let nodeCpu = 0;
  let writes = 0;
  for (const n of nodes) {
    nodeCpu += (n.pid !== undefined ? processCpuMicros(n.pid) : undefined) ?? 0;
    writes += (n.pid !== undefined ? processSyscalls(n.pid)?.writes : undefined) ?? 0;
  }
  if (!redisUrl) return [nodeCpu, 0, new Map(), writes];
  const redis = await connectRedis({ url: redisUrl, connectTimeoutMs: 2000 });
  try {
    const cpu = redisCpuMicros(await redis.info('cpu')) ?? 0;
    return [nodeCpu, cpu, redisCommandCalls(await redis.info('commandstats')), writes];
  } finally {
    redis.disconnect();
  }
}

async function run(config: Config): Promise<RunResult> {
  const redis = config.redis ? await RedisServerProcess.start({ port: REDIS_PORT }) : undefined;
  const nodes: ServerNode[] = [];
  let balancer: UdpBalancer | undefined;
  let stream: EventStream | undefined;
  const generator = new Generator();
  try {
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: config.nodes }, (_, i) =>
          ServerNode.start({
            coapPort: COAP_PORTS[i]!,
            httpPort: HTTP_PORTS[i]!,
            ...(redis ? { redisUrl: redis.url, nodeId: `bench-${i + 1}` } : {}),
            startTimeoutMs: 25_000,
            ...(CPU_PROF ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] } : {}),
          }),
        ),
      )),
    );
    for (const node of nodes) pin(node.pid, '0');
    if (config.nodes > 1) balancer = await UdpBalancer.start({ port: BALANCER_PORT, backends: COAP_PORTS });
    const target = { host: '127.0.0.1', port: balancer ? BALANCER_PORT : COAP_PORTS[0]! };
    // The measured run starts here (process start-up on a loaded machine is not what is measured).
    const started = performance.now();

    // Registrations, at each load level; the best level is the set-up's throughput.
    const levels: (RegistrationLevel & { registered: number; before: CpuSample; after: CpuSample })[] = [];
    for (const [i, sockets] of REG_SOCKETS.entries()) {
      const before = await serverCpu(nodes, redis?.url);
      const reg = await generator.ask(
        { cmd: 'register-load', ...target, sockets, seconds: REG_SECONDS, prefix: `${config.name}-reg${i}` },
        'register-load',
        REG_SECONDS * 1000 + 10_000,
      );
      const after = await serverCpu(nodes, redis?.url);
      const n = Math.max(1, reg.registered);
      levels.push({
        sockets,
        perS: Math.round(reg.registered / (reg.elapsedMs / 1000)),
        cpuUs: Math.round((after[0] - before[0] + after[1] - before[1]) / n),
        redisCpuUs: Math.round((after[1] - before[1]) / n),
        timeouts: reg.timeouts,
        registered: reg.registered,
        before,
        after,
      });
    }
    const best = levels.reduce((a, b) => (b.perS > a.perS ? b : a));
    const [cpu0, cpu1] = [best.before, best.after];

    // Notifications: register devices, observe each through the API (spread over the nodes).
    const prefix = `${config.name}-dev`;
    const devices = await generator.ask({ cmd: 'devices', ...target, count: DEVICES, prefix }, 'devices', 15_000);
    if (devices.failed > 0) throw new Error(`${devices.failed} of ${DEVICES} devices did not register`);
    const lastValue = new Map<string, number>();
    let received = 0;
    let outOfOrder = 0;
    stream = await EventStream.open({
      baseUrl: nodes[0]!.httpUrl,
      types: ['notification'],
      onEvent: (e) => {
        const ep = e.endpoint;
        const value = (e.content as { value?: unknown } | undefined)?.value;
        if (typeof ep !== 'string' || !ep.startsWith(prefix) || typeof value !== 'number') return;
        received++;
        if (value <= (lastValue.get(ep) ?? 0)) outOfOrder++;
        lastValue.set(ep, value);
      },
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < DEVICES) {
          const i = next++;
          const via = nodes[i % nodes.length]!;
          const res = await fetch(
            `${via.httpUrl}/api/clients/${prefix}-${i}/3303/0/5700/observe?format=text&timeout=5`,
            {
              method: 'POST',
              signal: AbortSignal.timeout(8000),
            },
          );
          if (res.status !== 200) throw new Error(`observe ${prefix}-${i} via ${via.id}: ${res.status}`);
        }
      }),
    );
    await waitFor(
      'every device observed',
      async () => (await generator.ask({ cmd: 'status' }, 'status', 2000)).observed === DEVICES,
      3000,
    );
    /** Offers `rate` notifications/s for `seconds`, then waits for node 1's stream to catch up. */
    const notifyPhase = async (rate: number, seconds: number) => {
      received = 0;
      const before = await serverCpu(nodes, redis?.url);
      const notify = await generator.ask({ cmd: 'notify', rate, seconds }, 'notify', seconds * 1000 + 10_000);
      // What is still queued in sockets and streams arrives within a short drain.
      // Then wait until everything arrived, or nothing more came for 1 s (at most 5 s): events
      // of other nodes reach node 1's stream through Redis, a little later than its own.
      const drainStart = performance.now();
      let lastCount = received;
      let lastChange = performance.now();
      await waitFor(
        'the stream to catch up',
        () => {
          if (received !== lastCount) {
            lastCount = received;
            lastChange = performance.now();
          }
          return received >= notify.sent || performance.now() - lastChange > 1000;
        },
        5000,
        20,
      ).catch(() => undefined);
      const drainMs = received >= notify.sent ? performance.now() - drainStart : lastChange - drainStart;
      const after = await serverCpu(nodes, redis?.url);
      return { notify, received, perS: Math.round(received / ((notify.elapsedMs + drainMs) / 1000)), before, after };
    };
    // Lossless: every notification offered must arrive, in order per device.
    const lossless = await notifyPhase(RATE, NOTIFY_SECONDS);
    const notify = lossless.notify;
    const [cpu2, cpu3] = [lossless.before, lossless.after];
    const losslessReceived = lossless.received;
    const orderedSoFar = outOfOrder;
    // Saturation: more offered than a node can take; what reaches the stream per second is the throughput.
    const saturated = SATURATE_SECONDS > 0 ? await notifyPhase(SATURATE_RATE, SATURATE_SECONDS) : undefined;
    return {
      config: config.name,
      registrationLevels: levels.map(({ sockets, perS, cpuUs, redisCpuUs, timeouts }) => ({
        sockets,
        perS,
        cpuUs,
        redisCpuUs,
        timeouts,
      })),
      registrationSockets: best.sockets,
      registrationsPerS: best.perS,
      registrations: best.registered,
      registerTimeouts: best.timeouts,
      cpuPerRegistrationUs: best.cpuUs,
      redisCpuPerRegistrationUs: best.redisCpuUs,
      notificationsSent: notify.sent,
      notificationsReceived: losslessReceived,
      notificationsPerS: lossless.perS,
      outOfOrder: orderedSoFar,
      saturatedNotificationsPerS: saturated?.perS ?? 0,
      saturatedOutOfOrder: outOfOrder - orderedSoFar,
      cpuPerSaturatedNotificationUs: saturated
        ? Math.round(
            (saturated.after[0] - saturated.before[0] + saturated.after[1] - saturated.before[1]) /
              Math.max(1, saturated.received),
          )
        : 0,
      redisCpuPerSaturatedNotificationUs: saturated
        ? Math.round((saturated.after[1] - saturated.before[1]) / Math.max(1, saturated.received))
        : 0,
      cpuPerNotificationUs: Math.round((cpu3[0] - cpu2[0] + cpu3[1] - cpu2[1]) / Math.max(1, losslessReceived)),
      redisCpuPerNotificationUs: Math.round((cpu3[1] - cpu2[1]) / Math.max(1, losslessReceived)),
      nodeWritesPerRegistration: Number(((cpu1[3] - cpu0[3]) / Math.max(1, best.registered)).toFixed(2)),
      nodeWritesPerNotification: Number(((cpu3[3] - cpu2[3]) / Math.max(1, losslessReceived)).toFixed(2)),
      redisCommandsPerRegistration: commandsPerOperation(cpu0[2], cpu1[2], best.registered),
      redisCommandsPerNotification: commandsPerOperation(cpu2[2], cpu3[2], losslessReceived),
      balancerDropped: balancer
        ? (({ droppedOversized, droppedNoBackend, droppedFlowLimit, droppedForeign, sendErrors }) =>
            droppedOversized + droppedNoBackend + droppedFlowLimit + droppedForeign + sendErrors)(balancer.stats())
        : 0,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    stream?.close();
    generator.stop();
    await balancer?.close();
    await Promise.all(nodes.map((n) => n.kill('SIGTERM', 5000)));
    await redis?.stop();
  }
}

function withLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');

async function main(): Promise<number> {
  if (!existsSync(SERVER_BIN)) {
    console.log(`!!! cluster bench SKIPPED: ${SERVER_BIN} is missing (run \`pnpm build\` first) !!!`);
    return 0;
  }
  if (!redisServerAvailable) {
    console.log('!!! cluster bench SKIPPED: redis-server not installed (apt-get install redis-server) !!!');
    return 0;
  }
  // This process, and what it starts from now on (load generator, redis-server), run on CPU 1.
  pin(process.pid, '1');
  if (PIN)
    console.log('cluster bench: server nodes pinned to CPU 0, everything else to CPU 1 (CLUSTER_BENCH_PIN=0: off)');
  const wanted = process.env.CLUSTER_BENCH_CONFIGS?.split(',').map((s) => s.trim());
  const results: RunResult[] = [];
  let failed = false;
  for (const config of CONFIGS.filter((c) => !wanted || wanted.includes(c.name))) {
    try {
      // Start-up (25 s at most), the measured run (every wait in it bounded) and teardown.
      const r = await withLimit(run(config), RUN_LIMIT_MS + 40_000, `cluster bench ${config.name}`);
      results.push(r);
      console.log(
        `cluster ${r.config}: ${r.registrationsPerS.toLocaleString('en')} registrations/s ` +
          `(${r.registrationSockets} sockets; ${r.cpuPerRegistrationUs} µs server CPU each, ${r.redisCpuPerRegistrationUs} of it redis-server; ` +
          `${r.registerTimeouts} timeouts); notifications ${r.notificationsReceived.toLocaleString('en')} of ` +
          `${r.notificationsSent.toLocaleString('en')} sent received on node 1's stream ` +
          `(${r.notificationsPerS.toLocaleString('en')}/s, ${r.cpuPerNotificationUs} µs server CPU each, ` +
          `${r.redisCpuPerNotificationUs} of it redis-server, ${r.outOfOrder} out of order); saturated ` +
          `${r.saturatedNotificationsPerS.toLocaleString('en')}/s (${r.cpuPerSaturatedNotificationUs} µs each, ` +
          `${r.redisCpuPerSaturatedNotificationUs} of it redis-server, ` +
          `${r.saturatedOutOfOrder} out of order)` +
          `${r.config === 'redis-3' ? `; balancer dropped ${r.balancerDropped}` : ''}; run ${r.elapsedMs} ms`,
      );
      console.log(
        `cluster ${r.config}: registration levels ${r.registrationLevels
          .map((l) => `${l.sockets} sockets ${l.perS.toLocaleString('en')}/s ${l.cpuUs} µs`)
          .join(', ')}`,
      );
      console.log(
        `cluster ${r.config}: node write syscalls per registration ${r.nodeWritesPerRegistration}, per notification ` +
          `${r.nodeWritesPerNotification}` +
          (config.redis
            ? `; redis commands per registration: ${r.redisCommandsPerRegistration}; per notification: ${r.redisCommandsPerNotification}`
            : ''),
      );
      if (r.elapsedMs > RUN_LIMIT_MS)
        console.log(`cluster ${r.config}: run took ${r.elapsedMs} ms (> ${RUN_LIMIT_MS})`);
    } catch (error) {
      failed = true;
      console.log(`cluster ${config.name} FAILED: ${(error as Error).message}`);
    }
  }
  const base = results.find((r) => r.config === 'memory-1');
  const redis1 = results.find((r) => r.config === 'redis-1');
  const redis3 = results.find((r) => r.config === 'redis-3');
  if (base && redis1) {
    console.log(
      `target Redis store >= 0.50x in-memory (one node): registrations ${ratio(redis1.registrationsPerS, base.registrationsPerS)}x by rate, ` +
        `${ratio(base.cpuPerRegistrationUs, redis1.cpuPerRegistrationUs)}x by server CPU per op; notifications ` +
        `${ratio(redis1.saturatedNotificationsPerS, base.saturatedNotificationsPerS)}x by saturated rate, ` +
        `${ratio(base.cpuPerSaturatedNotificationUs, redis1.cpuPerSaturatedNotificationUs)}x by server CPU per op`,
    );
    // The node's own CPU: what bounds one node's throughput when Redis has cores of its own.
    const nodeOnly = (total: number, redisPart: number) => total - redisPart;
    console.log(
      `  by the node's own CPU per op (redis-server excluded): registrations ` +
        `${ratio(base.cpuPerRegistrationUs, nodeOnly(redis1.cpuPerRegistrationUs, redis1.redisCpuPerRegistrationUs))}x, notifications ` +
        `${ratio(base.cpuPerSaturatedNotificationUs, nodeOnly(redis1.cpuPerSaturatedNotificationUs, redis1.redisCpuPerSaturatedNotificationUs))}x`,
    );
  }
  if (redis3) {
    const lost = redis3.notificationsSent - redis3.notificationsReceived;
    console.log(
      `target 3 nodes lose nothing: ${lost} of ${redis3.notificationsSent} notifications lost, ` +
        `${redis3.outOfOrder} out of order, ${redis3.registerTimeouts} register timeouts: ${lost === 0 && redis3.outOfOrder === 0 ? 'met' : 'NOT met'}`,
    );
  }
  if (process.env.CLUSTER_BENCH_JSON) console.log(JSON.stringify(results));
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`cluster bench: ${error.message}`);
    process.exit(1);
  },
);
