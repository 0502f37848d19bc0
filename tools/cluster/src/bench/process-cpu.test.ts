import { describe, expect, it } from 'vitest';
import {
  commandsPerOperation,
  processCpuMicros,
  processSyscalls,
  redisCommandCalls,
  redisCpuMicros,
} from './process-cpu';

describe('processCpuMicros', () => {
  it('reads utime + stime of a live process, undefined for a missing one', () => {
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += i; // some CPU to count
    expect(x).toBeGreaterThan(0);
    expect(processCpuMicros(process.pid)).toBeGreaterThan(0);
    expect(processCpuMicros(2 ** 31 - 1)).toBeUndefined();
  });

  it('reads the read / write system calls of a live process', () => {
    const io = processSyscalls(process.pid);
    expect(io?.writes).toBeGreaterThanOrEqual(0);
    expect(io?.reads).toBeGreaterThan(0);
    expect(processSyscalls(2 ** 31 - 1)).toBeUndefined();
  });
});

describe('redisCpuMicros', () => {
  it('sums used_cpu_sys and used_cpu_user of INFO cpu', () => {
    const info = '# CPU\r\nused_cpu_sys:1.250000\r\nused_cpu_user:0.750000\r\nused_cpu_sys_children:9.000000\r\n';
    expect(redisCpuMicros(info)).toBe(2_000_000);
  });

  it('is undefined for anything else', () => {
    expect(redisCpuMicros('')).toBeUndefined();
    expect(redisCpuMicros('used_cpu_sys:1.0\r\n')).toBeUndefined();
    expect(redisCpuMicros('used_cpu_sys:x\r\nused_cpu_user:-1\r\n')).toBeUndefined();
    expect(redisCpuMicros('\u0000\u00ff garbage')).toBeUndefined();
  });
});

describe('redisCommandCalls / commandsPerOperation', () => {
  it('reads calls per command and divides the difference by the operations', () => {
    const before = redisCommandCalls('# Commandstats\r\ncmdstat_evalsha:calls=10,usec=50,usec_per_call=5.00\r\n');
    const after = redisCommandCalls(
      'cmdstat_evalsha:calls=30,usec=150\r\ncmdstat_xadd:calls=10,usec=9\r\ncmdstat_info:calls=1,usec=1\r\n',
    );
    expect(after.get('xadd')).toBe(10);
    expect(commandsPerOperation(before, after, 10)).toBe('evalsha 2.00, xadd 1.00, info 0.10');
  });

  it('ignores anything else', () => {
    expect(redisCommandCalls('garbage\r\ncmdstat_:calls=x\r\n\u0000').size).toBe(0);
    expect(commandsPerOperation(new Map(), new Map(), 0)).toBe('');
  });
});
