import { describe, expect, it } from 'vitest';
import type { Notification } from './notification';
import { NotificationStream } from './notification-stream';

const n = (i: number) => ({ code: '2.05', receivedAt: i }) as unknown as Notification;
const at = (x: Notification) => x.receivedAt;

async function drain(stream: NotificationStream, count: number): Promise<number[]> {
  const it = stream[Symbol.asyncIterator]();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(at(r.value));
  }
  return out;
}

describe('NotificationStream', () => {
  it('delivers buffered notifications in order', async () => {
    const s = new NotificationStream(4);
    for (let i = 0; i < 3; i++) s.push(n(i));
    expect(await drain(s, 3)).toEqual([0, 1, 2]);
    expect(s.dropped).toBe(0);
  });

  it('keeps the newest `capacity` when nobody reads, dropping the oldest', async () => {
    const s = new NotificationStream(3);
    for (let i = 0; i < 10; i++) s.push(n(i));
    expect(s.dropped).toBe(7);
    expect(await drain(s, 3)).toEqual([7, 8, 9]);
    // The ring keeps working after wrapping around several times.
    for (let i = 10; i < 15; i++) s.push(n(i));
    expect(await drain(s, 3)).toEqual([12, 13, 14]);
  });

  it('hands a notification straight to a waiting reader', async () => {
    const s = new NotificationStream(2);
    const it = s[Symbol.asyncIterator]();
    const next = it.next();
    s.push(n(42));
    expect(at((await next).value as Notification)).toBe(42);
  });

  it('capacity 0 buffers nothing', async () => {
    const s = new NotificationStream(0);
    s.push(n(1));
    expect(s.dropped).toBe(1);
    s.end();
    expect(await drain(s, 1)).toEqual([]);
  });

  it('ends after the buffered notifications; return() empties it', async () => {
    const s = new NotificationStream(4);
    s.push(n(1));
    s.push(n(2));
    s.end();
    s.push(n(3));
    expect(await drain(s, 5)).toEqual([1, 2]);
    const t = new NotificationStream(4);
    t.push(n(1));
    const it = t[Symbol.asyncIterator]();
    await it.return?.();
    expect((await it.next()).done).toBe(true);
    expect(t.ended).toBe(true);
  });
});
