/** IndexedSecurityStore following a change feed (cluster mode): other writers' changes reach the index. */
import { type EditableSecurityStore, InMemorySecurityStore, type SecurityInfo } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { IndexedSecurityStore } from './security-index';
import { HeldStore, ManualFeed } from './security-index-fixtures';

const bytes = (...b: number[]) => new Uint8Array(b);
const psk = (endpoint: string, identity: string, key: number): SecurityInfo => ({
  endpoint,
  psk: { identity, key: bytes(key) },
});

const settle = () => new Promise((r) => setImmediate(r));

async function setup(initial: SecurityInfo[] = []) {
  const shared = new HeldStore(initial);
  const feed = new ManualFeed();
  const errors: unknown[] = [];
  const index = await IndexedSecurityStore.wrap(shared, { changes: feed, onError: (e) => errors.push(e) });
  /** Another node writing to the shared store and publishing the change. */
  const other = {
    async put(info: SecurityInfo) {
      await shared.put(info);
      feed.emit(info.endpoint);
      await settle();
    },
    async remove(endpoint: string) {
      await shared.remove(endpoint);
      feed.emit(endpoint);
      await settle();
    },
  };
  return { shared, feed, index, other, errors };
}

describe('IndexedSecurityStore with a change feed', () => {
  it('learns PSKs, raw public keys and OSCORE ids another node adds, changes and removes', async () => {
    const { index, other } = await setup();
    const told: [string, SecurityInfo | undefined][] = [];
    index.onChange((endpoint, info) => told.push([endpoint, info]));
    await other.put(psk('a', 'id-a', 1));
    expect(index.pskKey('id-a')).toEqual(bytes(1));
    await other.put(psk('a', 'id-a', 2));
    expect(index.pskKey('id-a')).toEqual(bytes(2));
    await other.put({ endpoint: 'a', rpk: { publicKey: bytes(7, 7) } });
    expect(index.pskKey('id-a')).toBeUndefined();
    expect(index.trustsRawPublicKey(bytes(7, 7))).toBe(true);
    const oscore = { recipientId: bytes(0x42), senderId: bytes(1), masterSecret: bytes(9) };
    await other.put({ endpoint: 'o', oscore } as SecurityInfo);
    expect(index.oscoreInfos(bytes(0x42)).map((i) => i.endpoint)).toEqual(['o']);
    await other.remove('a');
    await other.remove('o');
    expect(index.trustsRawPublicKey(bytes(7, 7))).toBe(false);
    expect(index.oscoreInfos(bytes(0x42))).toEqual([]);
    expect(told.map(([endpoint, info]) => `${endpoint}:${info ? 'set' : 'gone'}`)).toEqual([
      'a:set',
      'a:set',
      'a:set',
      'o:set',
      'a:gone',
      'o:gone',
    ]);
  });

  it('does not tell listeners twice about its own writes echoed by the feed', async () => {
    const { index, feed } = await setup();
    const told: string[] = [];
    index.onChange((endpoint) => told.push(endpoint));
    await index.put(psk('a', 'id-a', 1));
    feed.emit('a');
    await settle();
    expect(told).toEqual(['a']);
    expect(index.pskKey('id-a')).toEqual(bytes(1));
  });

  it('drops a read that a newer change overtook', async () => {
    const { shared, index, other, feed } = await setup();
    await other.put(psk('a', 'id-a', 1));
    shared.hold = true;
    await shared.put(psk('a', 'id-a', 2));
    feed.emit('a'); // read 1 sees key 2, held
    await settle();
    await shared.remove('a');
    feed.emit('a'); // read 2 sees nothing, held
    await settle();
    expect(shared.held).toHaveLength(2);
    shared.held[1]!(); // the newer read answers first
    await settle();
    expect(index.pskKey('id-a')).toBeUndefined();
    shared.held[0]!(); // the older one must not bring the key back
    await settle();
    expect(index.pskKey('id-a')).toBeUndefined();
  });

  it('keeps an identity that moved to another endpoint when the old owner is re-read late', async () => {
    const { shared, index, other, feed } = await setup();
    await other.put(psk('a', 'shared-id', 1));
    shared.hold = true;
    await shared.put(psk('a', 'a-new', 2));
    feed.emit('a');
    await settle();
    await shared.put(psk('b', 'shared-id', 3));
    feed.emit('b');
    await settle();
    shared.held[1]!(); // b's read lands first
    await settle();
    shared.held[0]!(); // then a's: it takes out only what a held
    await settle();
    expect(index.pskKey('shared-id')).toEqual(bytes(3));
    expect(index.pskKey('a-new')).toEqual(bytes(2));
  });

  it('lets a change during the initial listing win over the listing', async () => {
    const shared = new HeldStore([psk('a', 'id-a', 1)]);
    shared.hold = true;
    const feed = new ManualFeed();
    const wrapping = IndexedSecurityStore.wrap(shared, { changes: feed });
    await settle(); // the listing (key 1) is held
    shared.hold = false;
    await shared.put(psk('a', 'id-a', 2));
    feed.emit('a');
    await settle();
    shared.held[0]!();
    const index = await wrapping;
    expect(index.pskKey('id-a')).toEqual(bytes(2));
  });

  it('re-lists everything after the feed was interrupted', async () => {
    const { shared, index, feed } = await setup([psk('gone', 'id-gone', 1), psk('kept', 'id-kept', 2)]);
    expect(index.pskKey('id-gone')).toEqual(bytes(1));
    // Changes made while this node heard nothing:
    await shared.remove('gone');
    await shared.put(psk('kept', 'id-kept', 5));
    await shared.put(psk('new', 'id-new', 6));
    feed.emit(undefined);
    await settle();
    expect(index.pskKey('id-gone')).toBeUndefined();
    expect(index.pskKey('id-kept')).toEqual(bytes(5));
    expect(index.pskKey('id-new')).toEqual(bytes(6));
  });

  it('reports a failed re-read and keeps the index; close() stops following', async () => {
    const { shared, index, other, feed, errors } = await setup();
    await other.put(psk('a', 'id-a', 1));
    shared.failReads = true;
    feed.emit('a');
    await settle();
    expect(errors).toHaveLength(1);
    expect(index.pskKey('id-a')).toEqual(bytes(1));
    shared.failReads = false;
    index.close();
    expect(feed.listeners.size).toBe(0);
    await other.put(psk('b', 'id-b', 2));
    expect(index.pskKey('id-b')).toBeUndefined();
  });

  it('without a feed sees only its own writes (single node)', async () => {
    const shared: EditableSecurityStore = new InMemorySecurityStore();
    const index = await IndexedSecurityStore.wrap(shared);
    await shared.put(psk('a', 'id-a', 1));
    expect(index.pskKey('id-a')).toBeUndefined();
    await index.put(psk('b', 'id-b', 2));
    expect(index.pskKey('id-b')).toEqual(bytes(2));
  });
});
