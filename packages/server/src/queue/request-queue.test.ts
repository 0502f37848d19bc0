import { LwM2mPath } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { InMemoryRequestQueueStore, type QueuedRequest } from './request-queue';

const item = (id: string, endpoint: string, expiresAt: number): QueuedRequest => ({
  id,
  endpoint,
  request: { kind: 'read', path: LwM2mPath.of(3, 0) },
  enqueuedAt: 0,
  expiresAt,
});

describe('InMemoryRequestQueueStore', () => {
  it('keeps order per endpoint, removes by id, expires per request', async () => {
    const store = new InMemoryRequestQueueStore();
    await store.enqueue(item('1', 'a', 100));
    await store.enqueue(item('2', 'a', 50));
    await store.enqueue(item('3', 'a', 200));
    await store.enqueue(item('4', 'b', 10));
    expect((await store.list('a')).map((q) => q.id)).toEqual(['1', '2', '3']);
    expect((await store.removeExpired(60)).map((q) => q.id).sort()).toEqual(['2', '4']);
    expect(await store.endpoints()).toEqual(['a']);
    expect((await store.remove('3'))?.id).toBe('3');
    expect(await store.remove('3')).toBeUndefined();
    expect((await store.shift('a'))?.id).toBe('1');
    expect(await store.shift('a')).toBeUndefined();
    await store.enqueue(item('5', 'c', 10));
    expect((await store.clear('c')).map((q) => q.id)).toEqual(['5']);
    expect(await store.remove('5')).toBeUndefined();
  });
});
