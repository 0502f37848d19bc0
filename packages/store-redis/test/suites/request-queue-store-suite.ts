/** The `RequestQueueStore` contract, run against every implementation (in-memory and Redis). */

import { LwM2mPath, LwM2mValue, ObjectInstance, Resource, ResourceInstance } from '@lwm2m-ts/objects';
import type { QueuedRequest, RequestQueueStore } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { queued, T0 } from '../fixtures';

const ids = (items: readonly QueuedRequest[]) => items.map((i) => i.id);

export function requestQueueStoreSuite(name: string, createStore: () => Promise<RequestQueueStore>): void {
  describe(`RequestQueueStore contract: ${name}`, () => {
    it('keeps requests per endpoint in arrival order, every field intact', async () => {
      const store = await createStore();
      const a = queued({ id: 'a', endpoint: 'dev' });
      const b = queued({
        id: 'b',
        endpoint: 'dev',
        request: {
          kind: 'write',
          path: LwM2mPath.parse('/3/0/14'),
          mode: 'replace',
          node: Resource.single(14, LwM2mValue.of('integer', -9007199254740993n)),
        },
      });
      const c = queued({ id: 'c', endpoint: 'dev', request: { kind: 'read', path: LwM2mPath.parse('/3') } });
      const { timeoutMs: _omit, ...noTimeout } = queued({ id: 'd', endpoint: 'dev' });
      for (const item of [a, b, c, noTimeout]) await store.enqueue(item);
      expect(await store.list('dev')).toStrictEqual([a, b, c, noTimeout]);
      expect(await store.list('other')).toStrictEqual([]);
    });

    it('keeps every kind of device management request exactly', async () => {
      const store = await createStore();
      const p = (text: string) => LwM2mPath.parse(text);
      const requests: QueuedRequest['request'][] = [
        { kind: 'read', path: p('/3/0/0'), format: 11542 },
        { kind: 'execute', path: p('/3/0/4'), arguments: [{ id: 0 }, { id: 1, value: 'a,b=c' }] },
        {
          kind: 'create',
          path: p('/1'),
          clientChoosesId: false,
          instances: [
            ObjectInstance.of(7, [
              Resource.single(1, LwM2mValue.of('float', 1.25)),
              Resource.single(2, LwM2mValue.of('boolean', true)),
              Resource.single(3, LwM2mValue.objlnk(3, 0)),
              Resource.multiple(4, 'string', [
                ResourceInstance.of(0, LwM2mValue.of('string', 'x')),
                ResourceInstance.of(9, LwM2mValue.of('string', '')),
              ]),
            ]),
          ],
        },
        { kind: 'delete', path: p('/1/7') },
        { kind: 'discover', path: p('/3'), depth: 2 },
        { kind: 'write-attributes', path: p('/3/0/9'), attributes: { pmin: 10, pmax: null, gt: 2.5 } },
        { kind: 'read-composite', paths: [p('/3/0/0'), p('/1')], requestFormat: 110, responseFormat: 112 },
        {
          kind: 'write-composite',
          nodes: new Map([['/3/0/14', Resource.single(14, LwM2mValue.of('string', '+02'))]]),
          format: 112,
        },
        { kind: 'observe', path: p('/3303/0/5700') },
      ];
      for (const [i, request] of requests.entries())
        await store.enqueue(queued({ id: `k${i}`, endpoint: 'kinds', request }));
      expect((await store.list('kinds')).map((item) => item.request)).toStrictEqual(requests);
    });

    it('shifts the oldest request first, until empty', async () => {
      const store = await createStore();
      for (const id of ['1', '2', '3']) await store.enqueue(queued({ id, endpoint: 'dev' }));
      expect((await store.shift('dev'))?.id).toBe('1');
      expect((await store.shift('dev'))?.id).toBe('2');
      await store.enqueue(queued({ id: '4', endpoint: 'dev' }));
      expect(ids(await store.list('dev'))).toStrictEqual(['3', '4']);
      expect((await store.shift('dev'))?.id).toBe('3');
      expect((await store.shift('dev'))?.id).toBe('4');
      expect(await store.shift('dev')).toBeUndefined();
      expect(await store.endpoints()).toStrictEqual([]);
    });

    it('removes a request by id from the middle of a queue', async () => {
      const store = await createStore();
      for (const id of ['1', '2', '3']) await store.enqueue(queued({ id, endpoint: 'dev' }));
      const two = await store.remove('2');
      expect(two).toStrictEqual(queued({ id: '2', endpoint: 'dev' }));
      expect(await store.remove('2')).toBeUndefined();
      expect(ids(await store.list('dev'))).toStrictEqual(['1', '3']);
    });

    it('clears one endpoint and leaves the others', async () => {
      const store = await createStore();
      await store.enqueue(queued({ id: 'a1', endpoint: 'a' }));
      await store.enqueue(queued({ id: 'a2', endpoint: 'a' }));
      await store.enqueue(queued({ id: 'b1', endpoint: 'b' }));
      expect((await store.endpoints()).sort()).toStrictEqual(['a', 'b']);
      expect(ids(await store.clear('a'))).toStrictEqual(['a1', 'a2']);
      expect(await store.list('a')).toStrictEqual([]);
      expect(await store.remove('a1')).toBeUndefined();
      expect(await store.endpoints()).toStrictEqual(['b']);
      expect(await store.clear('a')).toStrictEqual([]);
    });

    it('drops each request when its own expiry has passed', async () => {
      const store = await createStore();
      await store.enqueue(queued({ id: 'soon', endpoint: 'a', expiresAt: T0 + 1000 }));
      await store.enqueue(queued({ id: 'late', endpoint: 'a', expiresAt: T0 + 5000 }));
      await store.enqueue(queued({ id: 'other', endpoint: 'b', expiresAt: T0 + 1000 }));
      expect(await store.removeExpired(T0 + 999)).toStrictEqual([]);
      expect(ids(await store.removeExpired(T0 + 1000)).sort()).toStrictEqual(['other', 'soon']);
      expect(ids(await store.list('a'))).toStrictEqual(['late']);
      expect(await store.endpoints()).toStrictEqual(['a']);
      expect(await store.removeExpired(T0 + 1000)).toStrictEqual([]);
      expect(ids(await store.removeExpired(T0 + 10_000))).toStrictEqual(['late']);
      expect(await store.endpoints()).toStrictEqual([]);
    });

    it('sweeps more expired requests than one batch', async () => {
      const store = await createStore();
      await Promise.all(
        Array.from({ length: 250 }, (_, i) => store.enqueue(queued({ id: `x${i}`, endpoint: `e${i % 3}` }))),
      );
      expect((await store.removeExpired(T0 + 1e9)).length).toBe(250);
      expect(await store.endpoints()).toStrictEqual([]);
    });

    it('answers empty for an unknown endpoint or id', async () => {
      const store = await createStore();
      expect(await store.list('x')).toStrictEqual([]);
      expect(await store.shift('x')).toBeUndefined();
      expect(await store.remove('x')).toBeUndefined();
      expect(await store.clear('x')).toStrictEqual([]);
      expect(await store.endpoints()).toStrictEqual([]);
    });
  });
}
