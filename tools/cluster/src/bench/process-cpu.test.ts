import { describe, expect, it } from 'vitest';
import { processCpuMicros, redisCpuMicros } from './process-cpu';

describe('processCpuMicros', () => {
  it('reads utime + stime of a live process, undefined for a missing one', () => {
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += i; // some CPU to count
    expect(x).toBeGreaterThan(0);
    expect(processCpuMicros(process.pid)).toBeGreaterThan(0);
    expect(processCpuMicros(2 ** 31 - 1)).toBeUndefined();
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
