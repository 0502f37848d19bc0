import { createDefaultRegistry, LwM2mPath } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { SimpleInstance } from '../enabler/simple-instance';
import { securityInstance } from '../objects/security-object';
import { serverInstance } from '../objects/server-object';
import { ObjectTree } from '../tree/object-tree';
import { AccountWatch } from './account-watch';

/** Accounts 1 (/0/0 + /1/0) and 2 (/0/1 + /1/1), watched like the client does. */
async function watched() {
  const tree = new ObjectTree(createDefaultRegistry(), undefined, '1.1');
  tree.add({
    id: 0,
    instances: {
      0: securityInstance({ uri: 'coap://a:5683', shortServerId: 1 }),
      1: securityInstance({ uri: 'coap://b:5683', shortServerId: 2 }),
      2: securityInstance({ uri: 'coap://bs:5683', bootstrap: true }),
    },
  });
  tree.add({
    id: 1,
    instances: { 0: serverInstance({ shortServerId: 1 }), 1: serverInstance({ shortServerId: 2 }) },
  });
  const removed: number[] = [];
  const added: number[][] = [];
  const invalid: string[] = [];
  const errors: unknown[] = [];
  const watch = new AccountWatch({
    tree,
    removed: (s) => removed.push(s),
    added: (ids) => added.push([...ids]),
    invalid: (e) => invalid.push(e.message),
    onError: (e) => errors.push(e),
  });
  tree.listen({
    instancesChanged: (id) => watch.instancesChanged(id),
    valuesChanged: (paths) => watch.valuesChanged(paths),
  });
  await watch.resync();
  return { tree, watch, removed, added, invalid, errors };
}

const security = (tree: ObjectTree, id: number) => tree.get(0)!.instance(id) as SimpleInstance;
const server = (tree: ObjectTree, id: number) => tree.get(1)!.instance(id) as SimpleInstance;

describe('AccountWatch', () => {
  it('reports an account at once when its Server or its Security instance is removed', async () => {
    const w = await watched();
    w.tree.get(1)!.remove(1);
    expect(w.removed).toEqual([2]); // synchronously, before any re-read
    w.tree.get(0)!.remove(0);
    expect(w.removed).toEqual([2, 1]);
    await w.watch.resync();
    expect(w.removed).toEqual([2, 1]); // once each
  });

  it('a new instance in place of a deleted one is a new account: deleting it reports again', async () => {
    const w = await watched();
    w.tree.get(1)!.remove(0);
    w.tree.get(1)!.add(0, serverInstance({ shortServerId: 1 }));
    await w.watch.resync();
    expect(w.removed).toEqual([1]);
    w.tree.get(1)!.remove(0);
    expect(w.removed).toEqual([1, 1]);
  });

  it('replacing an instance without a removal in between (same id, another enabler) is noticed on re-read', async () => {
    const w = await watched();
    w.tree.get(0)!.add(1, securityInstance({ uri: 'coap://b:5683', shortServerId: 2 }));
    await w.watch.resync();
    expect(w.removed).toEqual([2]);
  });

  it('a changed Short Server ID removes the old account; other values (lifetime, URI) do not', async () => {
    const w = await watched();
    server(w.tree, 0).set(1, 600);
    security(w.tree, 0).set(0, 'coap://a2:5683');
    await w.watch.resync();
    expect(w.removed).toEqual([]);
    security(w.tree, 1).set(10, 7); // Security of account 2 now names 7: account 2 has no Security
    await w.watch.resync();
    expect(w.removed).toEqual([2]);
  });

  it('ignores objects other than Security and Server', async () => {
    const w = await watched();
    w.tree.add({ id: 3303, instances: { 0: new SimpleInstance({ values: { 5700: 1 } }) } });
    w.tree.get(3303)!.remove(0);
    await w.watch.resync();
    expect(w.removed).toEqual([]);
  });

  it('malformed accounts: a Short Server ID of the wrong type or a missing URI is no account, nothing crashes', async () => {
    const w = await watched();
    w.tree.get(0)!.add(3, new SimpleInstance({ values: { 0: 'coap://c:5683', 1: false, 10: 3 } }));
    w.tree.get(1)!.add(3, new SimpleInstance({ values: { 0: 3 } }));
    w.tree.get(0)!.add(4, new SimpleInstance({ values: { 1: false, 10: 4 } })); // no URI
    w.tree.get(1)!.add(4, new SimpleInstance({ values: { 0: 4 } }));
    await w.watch.resync();
    w.tree.get(1)!.remove(4);
    expect(w.removed).toEqual([]); // 4 never was an account
    w.tree.get(1)!.remove(3);
    expect(w.removed).toEqual([3]);
    expect(w.errors).toEqual([]);
  });

  it('a Security or Server read that throws is reported as an error; removals are still seen', async () => {
    const w = await watched();
    let fail = true;
    w.tree.get(1)!.add(
      5,
      new SimpleInstance({
        values: { 0: 5 },
        readers: {
          1: () => {
            if (fail) throw new Error('flash read failed');
            return 60;
          },
        },
      }),
    );
    await w.watch.resync();
    expect(w.errors).toHaveLength(1);
    w.tree.get(1)!.remove(0);
    expect(w.removed).toEqual([1]);
    fail = false;
    await w.watch.resync();
    expect(w.removed).toEqual([1]);
  });

  it('reports accounts that appear (new, replaced, made valid) once each', async () => {
    const w = await watched();
    expect(w.added).toEqual([[1, 2]]); // the first read
    w.tree.get(0)!.add(3, securityInstance({ uri: 'coap://c:5683', shortServerId: 3 }));
    await w.watch.resync();
    expect(w.added).toHaveLength(1); // a Security instance alone is no account
    w.tree.get(1)!.add(3, serverInstance({ shortServerId: 3 }));
    await w.watch.resync();
    expect(w.added).toEqual([[1, 2], [3]]);
    w.tree.get(1)!.remove(0);
    w.tree.get(1)!.add(0, serverInstance({ shortServerId: 1 }));
    await w.watch.resync();
    expect(w.added).toEqual([[1, 2], [3], [1]]);
  });

  it('reports each malformed Server instance once, again only after it was fixed and broke anew', async () => {
    const w = await watched();
    w.tree.get(1)!.add(4, serverInstance({ shortServerId: 0 }));
    await w.watch.resync();
    await w.watch.resync();
    expect(w.invalid).toEqual([
      'server account /1/4 ignored: Short Server ID (/1/4/0) is 0 (number), expected an integer from 1 to 65534',
    ]);
    await server(w.tree, 4).write(0, { type: 'integer', value: 2 }, { requester: { kind: 'local' }, replace: false });
    w.tree.valuesChanged([LwM2mPath.parse('/1/4/0')]);
    await w.watch.resync();
    expect(w.invalid).toEqual([
      'server account /1/4 ignored: Short Server ID (/1/4/0) is 0 (number), expected an integer from 1 to 65534',
      'server account 2: /1/4 ignored, another Server instance has the same Short Server ID',
    ]);
    expect(w.errors).toEqual([]);
  });
});
