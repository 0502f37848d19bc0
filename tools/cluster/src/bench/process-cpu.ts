/**
 * CPU time of processes, for CPU µs per operation (the figure that holds up on a shared machine):
 * utime + stime of a PID from /proc/<pid>/stat (Linux), and redis-server's own used_cpu_* from
 * INFO cpu.
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
