import { createDefaultRegistry } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { readAccounts } from '../registration/server-accounts';
import { ObjectTree } from '../tree/object-tree';
import { accountObjects } from './account-objects';

describe('accountObjects', () => {
  it('makes one Security + Server pair per server and a Security instance for the bootstrap server', async () => {
    const tree = new ObjectTree(createDefaultRegistry(), undefined, '1.1');
    for (const def of accountObjects([
      { uri: 'coap://a:5683', lifetime: 60 },
      { uri: 'coap://b:5683', shortServerId: 10, binding: 'U', muteSend: true },
      { bootstrap: true, uri: 'coap://bs:5683' },
      { uri: 'coap://c:5683' },
    ]))
      tree.add(def);
    const { servers, bootstrap } = await readAccounts(tree);
    expect(servers.map((s) => [s.shortServerId, s.uri, s.lifetime, s.muteSend])).toEqual([
      [1, 'coap://a:5683', 60, false],
      [10, 'coap://b:5683', 86400, true],
      [11, 'coap://c:5683', 86400, false],
    ]);
    expect(bootstrap?.uri).toBe('coap://bs:5683');
  });
});
