import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/manual-clock';
import type { Registration } from '../registration/registration';
import { RecentRegistrations } from './recent-registrations';

const reg = (id: string): Registration => ({
  id,
  endpoint: `ep-${id}`,
  lifetime: 60,
  lwm2mVersion: '1.1',
  binding: 'U',
  queueMode: false,
  peer: { address: '127.0.0.1', port: 5683, key: `127.0.0.1|${id}` },
  objectLinks: '',
  registeredAt: 0,
  lastUpdate: 0,
});

describe('RecentRegistrations', () => {
  it('answers for ttlMs after an entry was stored, then not', async () => {
    const clock = new ManualClock(0);
    const recent = new RecentRegistrations(clock, 1000);
    const a = reg('a');
    recent.set(a);
    await clock.advance(999);
    expect(recent.get('a')).toBe(a);
    await clock.advance(1);
    expect(recent.get('a')).toBeUndefined();
  });

  it('an entry stored late in a generation survives one rotation', async () => {
    const clock = new ManualClock(0);
    const recent = new RecentRegistrations(clock, 1000);
    await clock.advance(900);
    const a = reg('a');
    recent.set(a);
    await clock.advance(500); // rotation at 1400: 'a' moves to the previous generation
    expect(recent.get('a')).toBe(a);
    await clock.advance(500);
    expect(recent.get('a')).toBeUndefined();
  });

  it('delete forgets; a lookup that raced with a local change is not stored', () => {
    const clock = new ManualClock(0);
    const recent = new RecentRegistrations(clock, 1000);
    recent.set(reg('a'));
    recent.delete('a');
    expect(recent.get('a')).toBeUndefined();
    const before = recent.changes;
    recent.delete('b'); // e.g. 'b' de-registered while its lookup was in flight
    recent.offer(reg('b'), before);
    expect(recent.get('b')).toBeUndefined();
    recent.offer(reg('c'), recent.changes);
    expect(recent.get('c')).toBeDefined();
  });

  it('holds only what was stored within the last two ttl periods (no sweep needed)', async () => {
    const clock = new ManualClock(0);
    const recent = new RecentRegistrations(clock, 1000);
    for (let i = 0; i < 10_000; i++) {
      recent.set(reg(String(i)));
      await clock.advance(1);
    }
    expect(recent.size).toBeLessThanOrEqual(2000);
  });

  it('ttlMs 0 keeps nothing', () => {
    const recent = new RecentRegistrations(new ManualClock(0), 0);
    recent.set(reg('a'));
    expect(recent.get('a')).toBeUndefined();
    expect(recent.size).toBe(0);
  });
});
