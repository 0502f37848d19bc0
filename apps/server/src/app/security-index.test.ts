import { InMemorySecurityStore, SecurityInfoConflictError } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { IndexedSecurityStore } from './security-index';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('IndexedSecurityStore', () => {
  it('indexes what the wrapped store already holds', async () => {
    const inner = new InMemorySecurityStore([
      { endpoint: 'a', psk: { identity: 'id-a', key: bytes(1) } },
      { endpoint: 'b', rpk: { publicKey: bytes(3, 4) } },
    ]);
    const store = await IndexedSecurityStore.wrap(inner);
    expect(store.pskKey('id-a')).toEqual(bytes(1));
    expect(store.trustsRawPublicKey(bytes(3, 4))).toBe(true);
    expect(store.trustsRawPublicKey(bytes(3))).toBe(false);
  });

  it('follows replacements and removals, and keeps the index on a refused put', async () => {
    const store = await IndexedSecurityStore.wrap(new InMemorySecurityStore());
    await store.put({ endpoint: 'a', psk: { identity: 'old', key: bytes(1) } });
    await store.put({ endpoint: 'a', psk: { identity: 'new', key: bytes(2) } });
    expect(store.pskKey('old')).toBeUndefined();
    expect(store.pskKey('new')).toEqual(bytes(2));
    await expect(store.put({ endpoint: 'b', psk: { identity: 'new', key: bytes(9) } })).rejects.toBeInstanceOf(
      SecurityInfoConflictError,
    );
    expect(store.pskKey('new')).toEqual(bytes(2));
    await store.put({ endpoint: 'a', rpk: { publicKey: bytes(7) } });
    expect(store.pskKey('new')).toBeUndefined();
    expect(store.trustsRawPublicKey(bytes(7))).toBe(true);
    await store.remove('a');
    expect(store.trustsRawPublicKey(bytes(7))).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('indexes OSCORE credentials by recipient id and announces changes', async () => {
    const oscore = (recipientId: Uint8Array, idContext?: Uint8Array) => ({
      recipientId,
      senderId: bytes(0x53),
      masterSecret: bytes(1, 2, 3),
      ...(idContext ? { idContext } : {}),
    });
    const store = await IndexedSecurityStore.wrap(
      new InMemorySecurityStore([{ endpoint: 'a', oscore: oscore(bytes(1), bytes(0xa)) }]),
    );
    const changes: [string, boolean][] = [];
    const stop = store.onChange((endpoint, info) => changes.push([endpoint, info !== undefined]));
    await store.put({ endpoint: 'b', oscore: oscore(bytes(1), bytes(0xb)) });
    expect(store.oscoreInfos(bytes(1)).map((i) => i.endpoint)).toEqual(['a', 'b']);
    await store.put({ endpoint: 'a', oscore: oscore(bytes(2)) });
    expect(store.oscoreInfos(bytes(1)).map((i) => i.endpoint)).toEqual(['b']);
    expect(store.oscoreInfos(bytes(2)).map((i) => i.endpoint)).toEqual(['a']);
    await store.remove('b');
    expect(store.oscoreInfos(bytes(1))).toEqual([]);
    stop();
    await store.remove('a');
    expect(changes).toEqual([
      ['b', true],
      ['a', true],
      ['b', false],
    ]);
  });
});
