import { describe, expect, it } from 'vitest';
import { identityMatches } from './registration-authorizer';
import { subjectCommonName } from './security-info';
import { InMemorySecurityStore, SecurityInfoConflictError } from './security-store';

describe('InMemorySecurityStore', () => {
  it('indexes by endpoint, PSK identity and OSCORE recipient id', async () => {
    const store = new InMemorySecurityStore();
    const oscore = {
      recipientId: new Uint8Array([1]),
      senderId: new Uint8Array([2]),
      masterSecret: new Uint8Array(16),
    };
    await store.put({ endpoint: 'a', psk: { identity: 'id-a', key: new Uint8Array([1]) } });
    await store.put({ endpoint: 'b', oscore });
    expect((await store.getByPskIdentity('id-a'))?.endpoint).toBe('a');
    expect((await store.getByOscoreRecipientId(new Uint8Array([1])))?.endpoint).toBe('b');
    expect(await store.getByOscoreRecipientId(new Uint8Array([9]))).toBeUndefined();
  });

  it('refuses a PSK identity owned by another endpoint, and re-keys on replace', async () => {
    const store = new InMemorySecurityStore([{ endpoint: 'a', psk: { identity: 'shared', key: new Uint8Array([1]) } }]);
    await expect(
      store.put({ endpoint: 'b', psk: { identity: 'shared', key: new Uint8Array([2]) } }),
    ).rejects.toBeInstanceOf(SecurityInfoConflictError);
    await store.put({ endpoint: 'a', psk: { identity: 'renamed', key: new Uint8Array([1]) } });
    expect(await store.getByPskIdentity('shared')).toBeUndefined();
    expect((await store.remove('a'))?.endpoint).toBe('a');
    expect(await store.getByPskIdentity('renamed')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });
});

describe('identity matching', () => {
  it('reads the CN of a subject in both notations', () => {
    expect(subjectCommonName('CN=dev1,O=Acme')).toBe('dev1');
    expect(subjectCommonName('/C=FR/CN=dev 2/O=x')).toBe('dev 2');
    expect(subjectCommonName('O=Acme')).toBeUndefined();
    // node's X509Certificate.subject form, as the DTLS and TLS transports report it
    expect(subjectCommonName('C=FR\nO=Acme\nCN=dev-3')).toBe('dev-3');
  });

  it('matches RPK keys by bytes and X.509 by explicit subject', () => {
    const key = new Uint8Array([4, 1, 2]);
    expect(
      identityMatches(
        { endpoint: 'e', rpk: { publicKey: key } },
        { kind: 'rpk', publicKey: new Uint8Array([4, 1, 2]) },
      ),
    ).toBe(true);
    expect(
      identityMatches({ endpoint: 'e', rpk: { publicKey: key } }, { kind: 'rpk', publicKey: new Uint8Array([4, 1]) }),
    ).toBe(false);
    const x509 = { kind: 'x509', subject: 'CN=other', certificate: new Uint8Array() } as const;
    expect(identityMatches({ endpoint: 'e', x509: 'CN=other' }, x509)).toBe(true);
    expect(identityMatches({ endpoint: 'e', x509: true }, x509)).toBe(false);
    expect(identityMatches({ endpoint: 'e' }, { kind: 'psk', identity: 'e' })).toBe(false);
  });
});
