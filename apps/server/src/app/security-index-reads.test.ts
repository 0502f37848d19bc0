/**
 * IndexedSecurityStore.getByEndpoint (every Register's authorization) is answered from the index
 * only while the index is a complete, current copy of the store: the change feed is live, the
 * last listing succeeded, and the endpoint has no re-read in flight or failed. Otherwise: the store.
 */
import type { SecurityInfo } from '@lwm2m-ts/server';
import { describe, expect, it, vi } from 'vitest';
import { IndexedSecurityStore } from './security-index';
import { HeldStore, ManualFeed } from './security-index-fixtures';

const psk = (endpoint: string, identity: string, key: number): SecurityInfo => ({
  endpoint,
  psk: { identity, key: new Uint8Array([key]) },
});
const settle = () => new Promise((r) => setImmediate(r));

async function setup(initial: SecurityInfo[] = [psk('a', 'id-a', 1)]) {
  const shared = new HeldStore(initial);
  const feed = new ManualFeed();
  const index = await IndexedSecurityStore.wrap(shared, { changes: feed, onError: () => {} });
  const reads = vi.spyOn(shared, 'getByEndpoint');
  return { shared, feed, index, reads };
}

describe('IndexedSecurityStore.getByEndpoint', () => {
  it('answers from the index while the feed is live: present and absent endpoints, no store read', async () => {
    const { index, reads } = await setup();
    expect(await index.getByEndpoint('a')).toEqual(psk('a', 'id-a', 1));
    expect(await index.getByEndpoint('unknown')).toBeUndefined();
    await index.put(psk('b', 'id-b', 2)); // its own write is in the index at once
    expect(await index.getByEndpoint('b')).toEqual(psk('b', 'id-b', 2));
    await index.remove('a');
    expect(await index.getByEndpoint('a')).toBeUndefined();
    expect(reads).not.toHaveBeenCalled();
  });

  it('reads the store while the feed is not live', async () => {
    const { feed, index, reads, shared } = await setup();
    feed.changesLive = false;
    await shared.put(psk('c', 'id-c', 3)); // unannounced: only the store knows
    expect(await index.getByEndpoint('c')).toEqual(psk('c', 'id-c', 3));
    expect(reads).toHaveBeenCalledWith('c');
  });

  it('reads the store for an endpoint whose change is still being read, then answers from the index', async () => {
    const { feed, index, reads, shared } = await setup();
    shared.hold = true;
    await shared.put(psk('a', 'id-a', 9));
    feed.emit('a'); // the re-read is held
    await settle();
    reads.mockClear();
    const during = index.getByEndpoint('a');
    await settle();
    expect(reads).toHaveBeenCalledWith('a');
    expect(await index.getByEndpoint('other')).toBeUndefined(); // other endpoints: still the index
    shared.hold = false;
    for (const release of shared.held.splice(0)) release();
    expect(await during).toEqual(psk('a', 'id-a', 9));
    await settle();
    reads.mockClear();
    expect(await index.getByEndpoint('a')).toEqual(psk('a', 'id-a', 9));
    expect(reads).not.toHaveBeenCalled();
  });

  it('after a failed re-read, reads the store for that endpoint until a read succeeds', async () => {
    const { feed, index, reads, shared } = await setup();
    await shared.put(psk('a', 'id-a', 7));
    shared.failReads = true;
    feed.emit('a');
    await settle();
    shared.failReads = false;
    reads.mockClear();
    expect(await index.getByEndpoint('a')).toEqual(psk('a', 'id-a', 7)); // not the stale key 1
    expect(reads).toHaveBeenCalledTimes(1);
    feed.emit('a'); // the next change message re-reads it successfully
    await settle();
    reads.mockClear();
    expect(await index.getByEndpoint('a')).toEqual(psk('a', 'id-a', 7));
    expect(reads).not.toHaveBeenCalled();
  });

  it('after an interruption, reads the store until the new listing is complete', async () => {
    const { feed, index, reads, shared } = await setup();
    shared.hold = true;
    await shared.put(psk('d', 'id-d', 4));
    feed.emit(undefined); // re-list, held
    await settle();
    const during = index.getByEndpoint('d');
    await settle();
    expect(reads).toHaveBeenCalledWith('d');
    shared.hold = false;
    for (const release of shared.held.splice(0)) release();
    expect(await during).toEqual(psk('d', 'id-d', 4));
    await settle();
    reads.mockClear();
    expect(await index.getByEndpoint('d')).toEqual(psk('d', 'id-d', 4));
    expect(reads).not.toHaveBeenCalled();
  });

  it('a failed listing leaves the index out of use until one succeeds', async () => {
    const { feed, index, reads, shared } = await setup();
    shared.failReads = true;
    feed.emit(undefined);
    await settle();
    shared.failReads = false;
    reads.mockClear();
    expect(await index.getByEndpoint('a')).toEqual(psk('a', 'id-a', 1));
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('without a feed (single node) always reads the store', async () => {
    const shared = new HeldStore([psk('a', 'id-a', 1)]);
    const index = await IndexedSecurityStore.wrap(shared);
    const reads = vi.spyOn(shared, 'getByEndpoint');
    expect(await index.getByEndpoint('a')).toEqual(psk('a', 'id-a', 1));
    expect(reads).toHaveBeenCalledTimes(1);
  });
});
