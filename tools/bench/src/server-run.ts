/** One measured run: a server under test, N load-generator processes, CPU and RSS sampled from /proc. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadConfig, LoadResult } from './load/con-get-load';
import { LatencyHistogram } from './load/histogram';
import { cpuMicros, memory } from './proc-stats';
import { type ServerSpec, startServer } from './servers/launch';
import type { EndpointLoadConfig } from './transports/endpoint-load';

export interface RunOptions {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly sockets: number;
  readonly inflight: number;
  readonly generators: number;
  readonly timeoutMs: number;
  /** Called about every 250 ms with the measured seconds elapsed (for progress bars). */
  readonly onProgress?: (elapsedMs: number, phase: 'warmup' | 'measure') => void;
}

export interface ServerResult {
  readonly server: string;
  readonly requestsPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly completed: number;
  readonly timeouts: number;
  readonly errors: number;
  readonly serverCpuMicrosPerRequest: number;
  /** Server CPU use in the window, in cores (1 = one core busy). */
  readonly serverCpuCores: number;
  readonly generatorCpuCores: number;
  readonly peakRssBytes: number;
  readonly finalRssBytes: number;
  /** Largest RSS sampled during the measured window. */
  readonly maxSampledRssBytes: number;
}

const generatorFile = fileURLToPath(new URL('./load/load-generator.js', import.meta.url));

export async function runAgainst(spec: ServerSpec, options: RunOptions): Promise<ServerResult> {
  const server = await startServer(spec);
  try {
    return await measure(server.pid, spec, options);
  } finally {
    await server.stop();
  }
}

async function measure(pid: number, spec: ServerSpec, options: RunOptions): Promise<ServerResult> {
  const config: LoadConfig | EndpointLoadConfig = {
    ...(spec.transport ? { transport: spec.transport } : {}),
    host: spec.host,
    port: spec.port,
    path: spec.path,
    sockets: Math.max(1, Math.round(options.sockets / options.generators)),
    inflight: options.inflight,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    timeoutMs: options.timeoutMs,
  };
  const children = Array.from({ length: options.generators }, () =>
    fork(generatorFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  let cpuStart = 0;
  let cpuEnd = 0;
  let genCpuStart = 0;
  let genCpuEnd = 0;
  let measureStartedAt = 0;
  let maxSampledRss = 0;
  const started = Date.now();
  const genCpu = () => children.reduce((sum, c) => sum + (c.pid ? safe(() => cpuMicros(c.pid!)) : 0), 0);
  const sampler = setInterval(() => {
    const rss = safe(() => memory(pid).rss);
    if (measureStartedAt > 0) maxSampledRss = Math.max(maxSampledRss, rss);
    options.onProgress?.(
      measureStartedAt > 0 ? Date.now() - measureStartedAt : Date.now() - started,
      measureStartedAt > 0 ? 'measure' : 'warmup',
    );
  }, 250);
  try {
    const results = await Promise.all(
      children.map(
        (child, i) =>
          new Promise<LoadResult>((resolve, reject) => {
            child.on('message', (m: { type: string; result?: LoadResult; message?: string }) => {
              if (m.type === 'ready') child.send({ type: 'run', config: { ...config, generatorIndex: i } });
              else if (m.type === 'measure' && i === 0) {
                cpuStart = safe(() => cpuMicros(pid));
                genCpuStart = genCpu();
                measureStartedAt = Date.now();
              } else if (m.type === 'done' && i === 0) {
                cpuEnd = safe(() => cpuMicros(pid));
                genCpuEnd = genCpu();
              } else if (m.type === 'result' && m.result) resolve(m.result);
              else if (m.type === 'error') reject(new Error(`load generator: ${m.message}`));
            });
            child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before reporting`)));
          }),
      ),
    );
    const histogram = new LatencyHistogram();
    let completed = 0;
    let timeouts = 0;
    let errors = 0;
    let rate = 0;
    let windowMs = 0;
    for (const r of results) {
      histogram.addSparse(r.histogram);
      completed += r.completed;
      timeouts += r.timeouts;
      errors += r.errors;
      rate += (r.completed * 1000) / r.elapsedMs;
      windowMs = Math.max(windowMs, r.elapsedMs);
    }
    const mem = memory(pid);
    const serverCpu = cpuEnd - cpuStart;
    return {
      server: spec.name,
      requestsPerSecond: rate,
      p50Micros: histogram.quantile(0.5),
      p99Micros: histogram.quantile(0.99),
      completed,
      timeouts,
      errors,
      serverCpuMicrosPerRequest: completed > 0 ? serverCpu / completed : Number.NaN,
      serverCpuCores: serverCpu / (windowMs * 1000),
      generatorCpuCores: (genCpuEnd - genCpuStart) / (windowMs * 1000),
      peakRssBytes: mem.peakRss,
      finalRssBytes: mem.rss,
      maxSampledRssBytes: Math.max(maxSampledRss, mem.rss),
    };
  } finally {
    clearInterval(sampler);
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
  }
}

function safe(fn: () => number): number {
  try {
    return fn();
  } catch {
    return 0;
  }
}
