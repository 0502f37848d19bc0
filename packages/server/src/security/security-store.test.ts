import { describe, expect, it } from 'vitest';
import { identityMatches } from './registration-authorizer';
import { type SecurityInfo, subjectCommonName } from './security-info';
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

  it('finds an OSCORE context from an index, without reading every entry', async () => {
    let reads = 0;
    const entry = (i: number): SecurityInfo => {
      const oscore = {
        recipientId: Uint8Array.of(i >> 8, i & 0xff),
        senderId: Uint8Array.of(0),
        masterSecret: new Uint8Array(16),
      };
      return Object.defineProperty({ endpoint: `ep-${i}` }, 'oscore', {
        enumerable: true,
        get: () => {
          reads++;
          return oscore;
        },
      }) as SecurityInfo;
    };
    const store = new InMemorySecurityStore(Array.from({ length: 500 }, (_, i) => entry(i)));
    reads = 0;
    expect((await store.getByOscoreRecipientId(Uint8Array.of(1, 243)))?.endpoint).toBe('ep-499');
    expect(await store.getByOscoreRecipientId(Uint8Array.of(9, 9))).toBeUndefined();
    expect(reads).toBeLessThanOrEqual(2);
  });

  it('keeps the OSCORE index right across replace, remove and a recipient id two endpoints share', async () => {
    const oscore = (rid: number[]) => ({
      recipientId: Uint8Array.from(rid),
      senderId: Uint8Array.of(0),
      masterSecret: new Uint8Array(16),
    });
    const store = new InMemorySecurityStore([{ endpoint: 'a', oscore: oscore([1]) }]);
    const rid = (...b: number[]) => store.getByOscoreRecipientId(Uint8Array.from(b));
    await store.put({ endpoint: 'a', oscore: oscore([2]) });
    expect(await rid(1)).toBeUndefined();
    expect((await rid(2))?.endpoint).toBe('a');
    await store.put({ endpoint: 'a', psk: { identity: 'a', key: Uint8Array.of(1) } });
    expect(await rid(2)).toBeUndefined();
    // A view into a larger buffer is looked up by its bytes.
    await store.put({ endpoint: 'b', oscore: oscore([7, 7]) });
    expect((await store.getByOscoreRecipientId(Uint8Array.of(0, 7, 7, 0).subarray(1, 3)))?.endpoint).toBe('b');
    expect(await rid(7)).toBeUndefined();
    // Shared recipient id: the earlier holder answers; removing it falls back to the other, not to nothing.
    await store.put({ endpoint: 'c', oscore: oscore([7, 7]) });
    expect((await rid(7, 7))?.endpoint).toBe('b');
    await store.put({ endpoint: 'b', oscore: oscore([7, 7]), x509: true }); // re-put keeps b first
    expect(await rid(7, 7)).toStrictEqual({ endpoint: 'b', oscore: oscore([7, 7]), x509: true });
    await store.remove('b');
    expect((await rid(7, 7))?.endpoint).toBe('c');
    // A refused put leaves the index alone.
    await expect(
      store.put({ endpoint: 'd', psk: { identity: 'a', key: Uint8Array.of(1) }, oscore: oscore([8]) }),
    ).rejects.toBeInstanceOf(SecurityInfoConflictError);
    expect(await rid(8)).toBeUndefined();
    await store.remove('c');
    expect(await rid(7, 7)).toBeUndefined();
    expect(await rid()).toBeUndefined();
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

  it('matches OSCORE identities by recipient id and ID context', () => {
    const info = (idContext?: Uint8Array) => ({
      endpoint: 'e',
      oscore: {
        recipientId: Uint8Array.of(1),
        senderId: Uint8Array.of(2),
        masterSecret: Uint8Array.of(3),
        ...(idContext ? { idContext } : {}),
      },
    });
    const id = (idContext?: Uint8Array) =>
      ({ kind: 'oscore', recipientId: Uint8Array.of(1), ...(idContext ? { idContext } : {}) }) as const;
    expect(identityMatches(info(), id())).toBe(true);
    expect(identityMatches(info(Uint8Array.of(0xaa)), id(Uint8Array.of(0xaa)))).toBe(true);
    expect(identityMatches(info(Uint8Array.of(0xaa)), id(Uint8Array.of(0xbb)))).toBe(false);
    expect(identityMatches(info(Uint8Array.of(0xaa)), id())).toBe(false);
    expect(identityMatches(info(), { kind: 'oscore', recipientId: Uint8Array.of(9) })).toBe(false);
  });
});
