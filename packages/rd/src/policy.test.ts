import { parseLinkFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork } from '../test/harness';
import { identityKey } from './identity';

describe('RD policies: sectors by identity, names from identity', () => {
  let net: ReturnType<typeof createRdNetwork>;
  // Each PSK identity "<sector>/<name>" belongs to one sector and sees only that sector.
  const sectorOf = (id: string | undefined) => id?.split(':')[1]?.split('/')[0];
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork({
      rd: {
        endpointNameFromIdentity: (peer) =>
          peer.identity?.kind === 'psk' ? peer.identity.identity.split('/')[1] : undefined,
        lookupFilter: (peer, reg) => reg.d === sectorOf(identityKey(peer.identity)),
        authorize: ({ action, peer, registration, d }) => {
          const mine = sectorOf(identityKey(peer.identity));
          if (action === 'register')
            return d === mine && (!registration || registration.owner === identityKey(peer.identity));
          if (action === 'lookup') return mine !== undefined;
          return registration?.owner === identityKey(peer.identity);
        },
      },
    });
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  it('registrations take their name from the identity; lookups see only the own sector', async () => {
    const a = net.node('a', { identity: { kind: 'psk', identity: 'north/pump-1' } });
    const b = net.node('b', { identity: { kind: 'psk', identity: 'south/pump-1' } });
    const c = net.node('c', { identity: { kind: 'psk', identity: 'north/valve-2' } });
    for (const [n, d] of [
      [a, 'north'],
      [b, 'south'],
      [c, 'north'],
    ] as const) {
      const res = await n.endpoint.request({
        method: 'POST',
        peer: n.rdPeer,
        path: '/rd',
        query: `d=${d}`,
        payload: '</v>;rt="x"',
      });
      expect(res.codeText).toBe('2.01');
    }
    // Registering into another sector is refused.
    expect(
      (await a.endpoint.request({ method: 'POST', peer: a.rdPeer, path: '/rd', query: 'd=south', payload: '</v>' }))
        .codeText,
    ).toBe('4.03');
    const eps = async (n: typeof a) =>
      parseLinkFormat((await n.endpoint.request({ method: 'GET', peer: n.rdPeer, path: '/rd-lookup/ep' })).payload).map(
        (l) => `${l.attributes.find((x) => x.name === 'ep')?.value}@${l.attributes.find((x) => x.name === 'd')?.value}`,
      );
    expect(await eps(a)).toEqual(['pump-1@north', 'valve-2@north']);
    expect(await eps(b)).toEqual(['pump-1@south']);
    const res = await b.endpoint.request({ method: 'GET', peer: b.rdPeer, path: '/rd-lookup/res', query: 'rt=x' });
    expect(parseLinkFormat(res.payload)).toHaveLength(1);
    const anonymous = net.node('anon');
    expect(
      (await anonymous.endpoint.request({ method: 'GET', peer: anonymous.rdPeer, path: '/rd-lookup/ep' })).codeText,
    ).toBe('4.03');
  });

  it('simple registration without ep and without an identity is 4.00 before any fetch', async () => {
    const n = net.node('n');
    let fetched = 0;
    n.endpoint.router.get('/.well-known/core', () => {
      fetched++;
      return { payload: '</x>', contentFormat: 40 };
    });
    const res = await n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: '/.well-known/rd' });
    expect(res.codeText).toBe('4.00');
    expect(res.text()).toContain('missing ep');
    expect(fetched).toBe(0);
  });
});
