/** The `EditableSecurityStore` contract, run against every implementation (in-memory and Redis). */
import { type EditableSecurityStore, type SecurityInfo, SecurityInfoConflictError } from '@lwm2m-ts/server';
import { describe, expect, it } from 'vitest';
import { securityInfo } from '../fixtures';

const byEndpoint = (a: SecurityInfo, b: SecurityInfo) => a.endpoint.localeCompare(b.endpoint);
const bytes = (text: string) => new TextEncoder().encode(text);

export function securityStoreSuite(name: string, createStore: () => Promise<EditableSecurityStore>): void {
  describe(`EditableSecurityStore contract: ${name}`, () => {
    it('stores credentials and finds them by endpoint, PSK identity and OSCORE recipient id', async () => {
      const store = await createStore();
      const info = securityInfo('dev-1', 'psk-1');
      expect(await store.put(info)).toStrictEqual({});
      expect(await store.getByEndpoint('dev-1')).toStrictEqual(info);
      expect(await store.getByPskIdentity('psk-1')).toStrictEqual(info);
      expect(await store.getByOscoreRecipientId(bytes('r-dev-1'))).toStrictEqual(info);
      expect(await store.list()).toStrictEqual([info]);
    });

    it('answers undefined / empty for what is not there', async () => {
      const store = await createStore();
      expect(await store.getByEndpoint('x')).toBeUndefined();
      expect(await store.getByPskIdentity('x')).toBeUndefined();
      expect(await store.getByOscoreRecipientId(new Uint8Array([1, 2, 3]))).toBeUndefined();
      expect(await store.remove('x')).toBeUndefined();
      expect(await store.list()).toStrictEqual([]);
    });

    it('keeps an X.509-only entry exactly', async () => {
      const store = await createStore();
      const info: SecurityInfo = { endpoint: 'cert-dev', x509: true };
      await store.put(info);
      expect(await store.getByEndpoint('cert-dev')).toStrictEqual(info);
    });

    it('replaces an endpoint’s credentials, moving its index entries', async () => {
      const store = await createStore();
      const first = securityInfo('dev', 'old-id');
      const second: SecurityInfo = { endpoint: 'dev', psk: { identity: 'new-id', key: new Uint8Array([5]) } };
      await store.put(first);
      expect(await store.put(second)).toStrictEqual({ previous: first });
      expect(await store.getByPskIdentity('old-id')).toBeUndefined();
      expect(await store.getByOscoreRecipientId(bytes('r-dev'))).toBeUndefined();
      expect(await store.getByPskIdentity('new-id')).toStrictEqual(second);
      expect(await store.list()).toStrictEqual([second]);
    });

    it('rejects a PSK identity already used by another endpoint and changes nothing', async () => {
      const store = await createStore();
      const owner = securityInfo('owner', 'shared-id');
      await store.put(owner);
      await expect(store.put(securityInfo('intruder', 'shared-id'))).rejects.toBeInstanceOf(SecurityInfoConflictError);
      expect(await store.getByEndpoint('intruder')).toBeUndefined();
      expect(await store.getByPskIdentity('shared-id')).toStrictEqual(owner);
      // The owner may put its own identity again.
      await expect(store.put(owner)).resolves.toStrictEqual({ previous: owner });
    });

    it('rejects an entry without an endpoint name', async () => {
      const store = await createStore();
      await expect(store.put({ endpoint: '' })).rejects.toBeInstanceOf(SecurityInfoConflictError);
      expect(await store.list()).toStrictEqual([]);
    });

    it('removes an endpoint and frees its PSK identity', async () => {
      const store = await createStore();
      const a = securityInfo('a', 'id-a');
      const b = securityInfo('b', 'id-b');
      await store.put(a);
      await store.put(b);
      expect(await store.remove('a')).toStrictEqual(a);
      expect(await store.getByPskIdentity('id-a')).toBeUndefined();
      expect(await store.getByOscoreRecipientId(bytes('r-a'))).toBeUndefined();
      expect(await store.list()).toStrictEqual([b]);
      const reuse = securityInfo('c', 'id-a');
      await store.put(reuse);
      expect(await store.getByPskIdentity('id-a')).toStrictEqual(reuse);
      expect((await store.list()).sort(byEndpoint)).toStrictEqual([b, reuse]);
    });

    it('finds an OSCORE context by an empty recipient id too', async () => {
      const store = await createStore();
      const base = securityInfo('empty-rid');
      const info: SecurityInfo = { endpoint: 'empty-rid', oscore: { ...base.oscore!, recipientId: new Uint8Array(0) } };
      await store.put(info);
      expect(await store.getByOscoreRecipientId(new Uint8Array(0))).toStrictEqual(info);
    });
  });
}
