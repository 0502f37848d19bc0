/**
 * `pnpm bench`: runs our CoAP server, node-coap's and libcoap's coap-server-notls one after the
 * other under the same CON GET load (a separate load-generator process), prints req/s, latency,
 * server CPU per request and RSS with ratios, then the codec comparison and the optional
 * per-package suites. Exit status 1 when a run fails; missed targets are reported, not fatal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { compareCodecs } from './codec-compare';
import { checksTable, codecTable, serverTable, type TargetCheck, throughputChecks } from './report';
import { runAgainst, type ServerResult } from './server-run';
import { commandExists, SERVER_NAMES, type ServerName, serverSpec, transportSpec } from './servers/launch';
import { planSuites, runSuites } from './suites';
import { parseTransportKinds, TRANSPORT_KINDS } from './transports/transport-kind';
import { transportChecks } from './transports/transport-report';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

const program = new Command('bench')
  .description('CoAP server and codec benchmarks: ours vs libcoap and node-coap, same load, same run')
  .option('-d, --duration <s>', 'measured seconds per server', int('duration'), 10)
  .option('-w, --warmup <s>', 'warm-up seconds per server (not measured)', int('warmup'), 2)
  .option('--sockets <n>', 'client UDP sockets', int('sockets'), 32)
  .option('--inflight <n>', 'CON GETs in flight per socket', int('inflight'), 8)
  .option('--generators <n>', 'load-generator processes', int('generators'), 1)
  .option(
    '--rounds <n>',
    'run the servers this many times, interleaved; report the median round of each',
    int('rounds'),
    1,
  )
  .option(
    '--servers <list>',
    `comma-separated subset of ${SERVER_NAMES.join(',')}, or "none"`,
    'ours,node-coap,libcoap',
  )
  .option('--base-port <port>', 'first UDP port (one per server)', int('base-port'), 25800)
  .option('--soak [s]', 'also run our server alone at full load for this long (default 60 s) and check RSS < 250 MB')
  .option('--cpu-prof <dir>', 'write V8 CPU profiles of the node servers to this directory')
  .option(
    '--transports <list>',
    `transport benchmark: our engine on both ends over these (comma-separated: ${TRANSPORT_KINDS.join(',')}), or "none"`,
    TRANSPORT_KINDS.join(','),
  )
  .option('--connections <n>', 'transport benchmark: client connections (each its own socket)', int('connections'), 64)
  .option(
    '--dtls-sessions <n>',
    'transport benchmark, dtls: client sessions (each its own socket)',
    int('dtls-sessions'),
    1000,
  )
  .option('--dtls-inflight <n>', 'transport benchmark, dtls: CON GETs in flight per session', int('dtls-inflight'), 1)
  .option('--suites <list>', 'only these optional suites (comma-separated), or "none"')
  .option('--no-codec', 'skip the codec comparison')
  .option('--json <file>', 'also write all results as JSON');

interface Options {
  duration: number;
  warmup: number;
  sockets: number;
  inflight: number;
  generators: number;
  rounds: number;
  servers: string;
  basePort: number;
  soak?: boolean | string;
  cpuProf?: string;
  suites?: string;
  transports: string;
  connections: number;
  dtlsSessions: number;
  dtlsInflight: number;
  codec: boolean;
  json?: string;
}

async function main(): Promise<number> {
  program.parse();
  const o = program.opts<Options>();
  const names = (o.servers === 'none' ? '' : o.servers)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as ServerName[];
  for (const n of names) if (!SERVER_NAMES.includes(n)) throw new InvalidArgumentError(`unknown server "${n}"`);
  const transports = parseTransportKinds(o.transports);
  if (o.cpuProf) mkdirSync(resolve(o.cpuProf), { recursive: true });
  const load = {
    durationMs: o.duration * 1000,
    warmupMs: o.warmup * 1000,
    sockets: o.sockets,
    inflight: o.inflight,
    generators: o.generators,
    timeoutMs: 2000,
  };
  console.log(
    `CON GET load: ${o.sockets} sockets x ${o.inflight} in flight, ${o.generators} generator process(es), ${o.warmup} s warm-up + ${o.duration} s per server${o.rounds > 1 ? `, ${o.rounds} interleaved rounds (median reported)` : ''}`,
  );

  const rounds = new Map<string, ServerResult[]>();
  let failed = false;
  const runnable = names.filter((name) => {
    if (name !== 'libcoap' || commandExists('coap-server-notls')) return true;
    const msg = `!!! libcoap's coap-server-notls is not installed (apt-get install libcoap3-bin): libcoap baseline SKIPPED`;
    if (process.env.CI === 'true') {
      console.error(msg.replace('SKIPPED', 'required in CI'));
      failed = true;
    } else console.log(msg);
    return false;
  });
  for (let round = 1; round <= o.rounds; round++) {
    for (const [i, name] of runnable.entries()) {
      const spec = serverSpec(name, o.basePort + i, o.cpuProf ? { cpuProfDir: resolve(o.cpuProf) } : {});
      const label = o.rounds > 1 ? `${name} ${round}/${o.rounds}` : name;
      try {
        const r = await withProgress(label.padEnd(13), load.warmupMs + load.durationMs, (onProgress) =>
          runAgainst(spec, { ...load, onProgress }),
        );
        rounds.set(name, [...(rounds.get(name) ?? []), r]);
        if (o.rounds > 1)
          console.log(
            `  ${label}: ${r.requestsPerSecond.toFixed(0)} req/s, ${r.serverCpuMicrosPerRequest.toFixed(1)} CPU µs/req`,
          );
      } catch (err) {
        failed = true;
        console.error(`${name}: ${(err as Error).message}`);
      }
    }
  }
  const results = [...rounds.values()].map(medianRound);
  const checks: TargetCheck[] = [];
  if (results.length > 0) {
    console.log(`\n${serverTable(results)}\n`);
    checks.push(...throughputChecks(results));
  }

  let transportResults: ServerResult[] = [];
  if (transports.length > 0) {
    console.log(
      `\ntransports: our engine on both ends, ${o.connections} connections x ${o.inflight} GETs in flight (dtls: ${o.dtlsSessions} PSK sessions x ${o.dtlsInflight}), ${o.generators} generator process(es)`,
    );
    const byKind = new Map<string, ServerResult[]>();
    for (let round = 1; round <= o.rounds; round++) {
      for (const [i, kind] of transports.entries()) {
        const sockets = kind === 'dtls' ? o.dtlsSessions : o.connections;
        const inflight = kind === 'dtls' ? o.dtlsInflight : o.inflight;
        const spec = transportSpec(kind, o.basePort + 20 + i, sockets, {
          ...(o.cpuProf ? { cpuProfDir: resolve(o.cpuProf) } : {}),
        });
        const label = o.rounds > 1 ? `${kind} ${round}/${o.rounds}` : kind;
        try {
          const r = await withProgress(label.padEnd(13), load.warmupMs + load.durationMs, (onProgress) =>
            runAgainst(spec, { ...load, sockets, inflight, onProgress }),
          );
          byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
          if (o.rounds > 1)
            console.log(
              `  ${label}: ${r.requestsPerSecond.toFixed(0)} req/s, ${r.serverCpuMicrosPerRequest.toFixed(1)} CPU µs/req`,
            );
        } catch (err) {
          failed = true;
          console.error(`${kind}: ${(err as Error).message}`);
        }
      }
    }
    transportResults = [...byKind.values()].map(medianRound);
    if (transportResults.length > 0) {
      console.log(`\n${serverTable(transportResults)}\n`);
      checks.push(...transportChecks(transportResults));
    }
  }

  let soak: ServerResult | undefined;
  if (o.soak !== undefined && o.soak !== false) {
    const seconds = o.soak === true ? 60 : Number(o.soak);
    const spec = serverSpec('ours', o.basePort + 10);
    soak = await withProgress('soak     ', seconds * 1000 + 1000, (onProgress) =>
      runAgainst(spec, { ...load, warmupMs: 1000, durationMs: seconds * 1000, onProgress }),
    );
    console.log(`\nsoak: our server, ${seconds} s at full load\n${serverTable([soak])}\n`);
    const mbMax = soak.maxSampledRssBytes / (1024 * 1024);
    checks.push({
      what: `our server RSS after ${seconds} s at full load (MB, max sampled)`,
      value: mbMax,
      target: '< 250',
      met: mbMax < 250,
    });
  }

  let codec: ReturnType<typeof compareCodecs> | undefined;
  if (o.codec) {
    codec = compareCodecs();
    console.log(
      `codec decode+encode of typical LwM2M requests (ours vs coap-packet, best of 5):\n${codecTable(codec)}\n`,
    );
    const worst = Math.min(...codec.map((c) => c.ratio));
    checks.push({
      what: 'codec decode+encode ours / coap-packet (worst request)',
      value: worst,
      target: '>= 3',
      met: worst >= 3,
    });
  }
  if (checks.length > 0) console.log(`${checksTable(checks)}\n`);

  if (o.suites !== 'none') {
    const only = o.suites ? o.suites.split(',').map((s) => s.trim()) : undefined;
    const { run, missing } = planSuites(repoRoot, only);
    for (const name of missing)
      console.log(`--- suite ${name}: SKIPPED (packages/${name} has no bench script and no bench/*.bench.* file)`);
    if (runSuites(repoRoot, run, (line) => console.log(line)).length > 0) failed = true;
  }
  if (o.json) {
    const file = resolve(o.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), load, results, transports: transportResults, soak, codec, checks }, null, 2)}\n`,
    );
    console.log(`results written to ${file}`);
  }
  if (o.cpuProf) console.log(`CPU profiles (.cpuprofile, open in Chrome DevTools) in ${join(resolve(o.cpuProf))}`);
  return failed ? 1 : 0;
}

/** The round with the median throughput; CPU per request is the median of its own; peak RSS the max. */
function medianRound(runs: readonly ServerResult[]): ServerResult {
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const byRate = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = byRate[Math.floor((byRate.length - 1) / 2)]!;
  return {
    ...median,
    serverCpuMicrosPerRequest: mid(runs.map((r) => r.serverCpuMicrosPerRequest)),
    peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
    maxSampledRssBytes: Math.max(...runs.map((r) => r.maxSampledRssBytes)),
  };
}

async function withProgress<T>(
  label: string,
  totalMs: number,
  run: (onProgress: (ms: number, phase: string) => void) => Promise<T>,
): Promise<T> {
  if (!process.stderr.isTTY) {
    console.log(`${label.trim()}: running ${(totalMs / 1000).toFixed(0)} s ...`);
    return run(() => {});
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} s {phase}`,
    stream: process.stderr,
    hideCursor: true,
  });
  const warm = totalMs;
  bar.start(Math.round(totalMs / 1000), 0, { phase: 'warm-up' });
  let warmupDone = 0;
  try {
    return await run((ms, phase) => {
      if (phase === 'warmup') warmupDone = ms;
      bar.update(Math.min(Math.round((phase === 'measure' ? warmupDone + ms : ms) / 1000), Math.round(warm / 1000)), {
        phase,
      });
    });
  } finally {
    bar.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(1);
  },
);
