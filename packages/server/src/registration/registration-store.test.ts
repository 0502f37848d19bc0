import { describe, expect, it } from 'vitest';
import type { Registration } from './registration';
import { InMemoryRegistrationStore } from './registration-store';

const reg = (id: string, endpoint: string): Registration => ({
  id,
  endpoint,
  lifetime: 60,
  lwm2mVersion: '1.1',
  binding: 'U',
  queueMode: false,
  peer: { address: '127.0.0.1', port: 5683, key: `127.0.0.1|5683|${id}` },
  objectLinks: '</3/0>',
  registeredAt: 0,
  lastUpdate: 0,
});

describe('InMemoryRegistrationStore', () => {
  it('re-adding an id under a new endpoint unlinks the old endpoint', async () => {
    const store = new InMemoryRegistrationStore();
    const first = reg('a', 'old');
    const moved = reg('a', 'new');
    await store.add(first);
    expect(await store.add(moved)).toStrictEqual({});
    expect(await store.getByEndpoint('old')).toBeUndefined();
    expect(await store.getByEndpoint('new')).toBe(moved);
    expect(await store.list()).toStrictEqual([moved]);
    // The old endpoint is free: a new registration takes it, and removing `a` leaves it alone.
    const other = reg('b', 'old');
    expect(await store.add(other)).toStrictEqual({});
    expect(await store.remove('a')).toBe(moved);
    expect(await store.getByEndpoint('old')).toBe(other);
    expect(await store.getByEndpoint('new')).toBeUndefined();
  });

  it('re-adding an id under an endpoint another id holds replaces that one and unlinks the old endpoint', async () => {
    const store = new InMemoryRegistrationStore();
    const a = reg('a', 'ep-a');
    const b = reg('b', 'ep-b');
    await store.add(a);
    await store.add(b);
    const moved = reg('a', 'ep-b');
    expect(await store.add(moved)).toStrictEqual({ previous: b });
    expect(await store.getByEndpoint('ep-a')).toBeUndefined();
    expect(await store.getByEndpoint('ep-b')).toBe(moved);
    expect(await store.getById('b')).toBeUndefined();
    expect(await store.list()).toStrictEqual([moved]);
    expect(store.size).toBe(1);
  });

  it('re-adding an id under the same endpoint replaces it in place', async () => {
    const store = new InMemoryRegistrationStore();
    const a = reg('a', 'ep');
    const again = { ...reg('a', 'ep'), lifetime: 5 };
    await store.add(a);
    expect(await store.add(again)).toStrictEqual({ previous: a });
    expect(await store.getByEndpoint('ep')).toBe(again);
    expect(await store.list()).toStrictEqual([again]);
  });
});
