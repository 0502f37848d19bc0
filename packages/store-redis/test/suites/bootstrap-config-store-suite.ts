/** The `BootstrapConfigStore` contract, run against every implementation (in-memory and Redis). */
import {
  type BootstrapConfig,
  type BootstrapConfigStore,
  InvalidBootstrapConfigError,
  SecurityMode,
} from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';

export const fullConfig: BootstrapConfig = {
  toDelete: ['/0', '/1', '/21/0'],
  security: {
    0: { uri: 'coaps://bs.example:5684', bootstrapServer: true, securityMode: SecurityMode.NO_SEC },
    1: {
      uri: 'coaps://dm.example:5684',
      bootstrapServer: false,
      securityMode: SecurityMode.PSK,
      publicKeyOrIdentity: new TextEncoder().encode('dev-1'),
      secretKey: new Uint8Array([0, 1, 2, 255]),
      serverPublicKey: new Uint8Array(0),
      shortServerId: 101,
      clientHoldOffTime: 0,
      bootstrapServerAccountTimeout: 0,
      oscoreInstanceId: 0,
    },
  },
  servers: {
    0: {
      shortServerId: 101,
      lifetime: 300,
      defaultMinPeriod: 1,
      defaultMaxPeriod: 60,
      disableTimeout: 86400,
      notificationStoring: true,
      binding: 'UQ',
    },
  },
  acls: { 3: { objectId: 3, objectInstanceId: 0, acl: { 0: 1, 101: 31 }, accessControlOwner: 101 } },
  oscore: {
    0: {
      masterSecret: new Uint8Array(16).fill(3),
      senderId: new Uint8Array([1]),
      recipientId: new Uint8Array(0),
      aeadAlgorithm: 10,
      hmacAlgorithm: -10,
      masterSalt: new Uint8Array([7]),
      idContext: new Uint8Array([8, 9]),
    },
  },
  contentFormat: 11542,
  discoverFirst: true,
  readBeforeFinish: ['/1'],
};

export function bootstrapConfigStoreSuite(name: string, createStore: () => Promise<BootstrapConfigStore>): void {
  describe(`BootstrapConfigStore contract: ${name}`, () => {
    it('stores a configuration and gets it back exactly', async () => {
      const store = await createStore();
      await store.put('dev-1', fullConfig);
      expect(await store.get('dev-1')).toStrictEqual(fullConfig);
      expect(await store.list()).toStrictEqual([['dev-1', fullConfig]]);
    });

    it('replaces, lists and removes configurations per endpoint', async () => {
      const store = await createStore();
      const empty: BootstrapConfig = {};
      await store.put('a', fullConfig);
      await store.put('b', empty);
      await store.put('a', { toDelete: ['/'] });
      expect(await store.get('a')).toStrictEqual({ toDelete: ['/'] });
      expect((await store.list()).sort(([x], [y]) => x.localeCompare(y))).toStrictEqual([
        ['a', { toDelete: ['/'] }],
        ['b', empty],
      ]);
      expect(await store.remove('a')).toStrictEqual({ toDelete: ['/'] });
      expect(await store.remove('a')).toBeUndefined();
      expect(await store.get('a')).toBeUndefined();
      expect(await store.list()).toStrictEqual([['b', empty]]);
    });

    it('rejects an invalid configuration and keeps the previous one', async () => {
      const store = await createStore();
      await store.put('dev', fullConfig);
      const bad: BootstrapConfig = {
        servers: { 0: { shortServerId: 0, lifetime: 1, notificationStoring: false, binding: 'U' } },
      };
      await expect(store.put('dev', bad)).rejects.toBeInstanceOf(InvalidBootstrapConfigError);
      expect(await store.get('dev')).toStrictEqual(fullConfig);
    });

    it('answers undefined / empty for what is not there', async () => {
      const store = await createStore();
      expect(await store.get('x')).toBeUndefined();
      expect(await store.remove('x')).toBeUndefined();
      expect(await store.list()).toStrictEqual([]);
    });
  });
}
