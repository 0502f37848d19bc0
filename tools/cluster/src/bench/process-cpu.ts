/**
 * CPU time of processes, for CPU µs per operation (the figure that holds up on a shared machine):
 * utime + stime of a PID from /proc/<pid>/stat (Linux), and redis-server's own used_cpu_* from
 * INFO cpu; and the commands redis-server ran (INFO commandstats), to count them per operation.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout;
    const n = Number(out?.trim());
    ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** utime + stime of a process in µs, or undefined when it is gone (or not Linux). */
export function processCpuMicros(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1_000_000) / clockTicks();
}

/**
 * Read and write system calls of a process so far (`syscr` / `syscw` of /proc/<pid>/io): for the
 * server, mostly its TCP reads and writes to Redis (UDP goes through recvmsg / sendmsg, not
 * counted). Undefined when the process is gone (or not Linux).
 */
export function processSyscalls(pid: number): { reads: number; writes: number } | undefined {
  let io: string;
  try {
    io = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return undefined;
  }
  const reads = Number(/^syscr:\s*(\d+)$/m.exec(io)?.[1]);
  const writes = Number(/^syscw:\s*(\d+)$/m.exec(io)?.[1]);
  return Number.isFinite(reads) && Number.isFinite(writes) ? { reads, writes } : undefined;
}

/** used_cpu_sys + used_cpu_user (seconds) of an `INFO cpu` reply, in µs. */
export function redisCpuMicros(info: string): number | undefined {
  let total = 0;
  let found = 0;
  for (const line of info.split(/\r?\n/)) {
    const m = /^used_cpu_(sys|user):([\d.]+)$/.exec(line.trim());
    if (m) {
      total += Number(m[2]);
      found++;
    }
  }
  return found === 2 ? Math.round(total * 1_000_000) : undefined;
}

/** Calls per command of an `INFO commandstats` reply (`cmdstat_evalsha:calls=3,...` -> evalsha 3). */
export function redisCommandCalls(info: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([a-z|_-]+):calls=(\d+)/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Commands run between two `redisCommandCalls` readings, per operation, most frequent first. */
export function commandsPerOperation(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  operations: number,
): string {
  const rows: [string, number][] = [];
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    if (delta > 0) rows.push([name, delta / Math.max(1, operations)]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  return rows
    .filter(([, n]) => n >= 0.01)
    .map(([name, n]) => `${name} ${n.toFixed(2)}`)
    .join(', ');
}
