import { createDefaultRegistry } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { oscoreInstance } from '../objects/oscore-object';
import { SecurityMode, securityInstance } from '../objects/security-object';
import { ObjectTree } from '../tree/object-tree';
import { readAccountSecurity, securityFingerprint } from './account-security';

const tree = (security: ReturnType<typeof securityInstance>, withOscore = true) => {
  const t = new ObjectTree(createDefaultRegistry(), undefined, '1.1');
  t.add({ id: 0, instances: { 0: security } });
  if (withOscore)
    t.add({
      id: 21,
      instances: {
        2: oscoreInstance({
          masterSecret: new Uint8Array([1, 2, 3]),
          senderId: new Uint8Array([0xa]),
          recipientId: new Uint8Array([0xb]),
          aeadAlgorithm: 10,
          idContext: new Uint8Array([0x37]),
        }),
      },
    });
  return t;
};

describe('readAccountSecurity', () => {
  it('decodes a PSK account: identity as text, key as bytes, no OSCORE', async () => {
    const t = tree(
      securityInstance({
        uri: 'coaps://h:5684',
        shortServerId: 3,
        mode: SecurityMode.PSK,
        identity: 'dev',
        secretKey: 'k',
      }),
    );
    const a = await readAccountSecurity(t, 0);
    expect(a).toMatchObject({ serverUri: 'coaps://h:5684', bootstrap: false, shortServerId: 3, securityMode: 0 });
    expect(a.pskIdentity).toBe('dev');
    expect([...a.pskKey!]).toEqual([0x6b]);
    expect(a.oscore).toBeUndefined();
  });

  it('follows /0/x/17 to the OSCORE instance; RPK/NoSec accounts have no PSK fields', async () => {
    const t = tree(
      securityInstance({ uri: 'coap://h', shortServerId: 1, mode: SecurityMode.NO_SEC, oscoreInstanceId: 2 }),
    );
    const a = await readAccountSecurity(t, 0);
    expect(a.pskIdentity).toBeUndefined();
    expect(a.oscore).toMatchObject({
      instanceId: 2,
      aeadAlgorithm: 10,
      hmacAlgorithm: undefined,
      masterSalt: undefined,
    });
    expect([
      ...a.oscore!.masterSecret,
      ...a.oscore!.senderId,
      ...a.oscore!.recipientId,
      ...a.oscore!.idContext!,
    ]).toEqual([1, 2, 3, 0xa, 0xb, 0x37]);
  });

  it('refuses a link to a missing OSCORE instance rather than talking without OSCORE', async () => {
    const t = tree(securityInstance({ uri: 'coap://h', shortServerId: 1, oscoreInstanceId: 9 }));
    await expect(readAccountSecurity(t, 0)).rejects.toThrow('/0/0/17 links /21/9, which is missing or incomplete');
  });

  it('fingerprints change with any credential', async () => {
    const base = { uri: 'coaps://h:5684', shortServerId: 1, mode: SecurityMode.PSK, identity: 'dev' };
    const f = async (secretKey: string) =>
      securityFingerprint(await readAccountSecurity(tree(securityInstance({ ...base, secretKey }), false), 0));
    expect(await f('a')).toBe(await f('a'));
    expect(await f('a')).not.toBe(await f('b'));
  });
});
