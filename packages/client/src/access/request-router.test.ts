/** The router's table of direct-access callers stays bounded: one host on endless ports cannot grow it. */
import { CoapError, type CoapRequest, makePeer } from '@lwm2m-ts/coap';
import { LwM2mPath } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import type { DmHandler, ServerCaller } from '../coap/dm-handler';
import { RequestRouter, type RequestRouterDeps } from './request-router';

function setup() {
  const observing = new Set<string>();
  const deps = {
    connections: { get: () => undefined },
    registrations: { byPeer: () => undefined, get: () => undefined },
    bootstrap: () => ({ inProgress: false }),
    acl: { check: async () => undefined },
    directAccess: [{ address: 'tool', operations: ['read'] }],
    sharedEndpoint: () => undefined,
    touch: () => {},
    observing: (key: string) => observing.has(key),
  } as unknown as RequestRouterDeps;
  const router = new RequestRouter(deps);
  /** Requests park here until released, to hold them in flight. */
  const parked: (() => void)[] = [];
  let park = false;
  const dm = {
    async handle(req: CoapRequest, caller: ServerCaller) {
      if (park) await new Promise<void>((resolve) => parked.push(resolve));
      // As the DM handler does: authorization reads the caller's entry during the request.
      await router.authorize(caller, 'read', LwM2mPath.parse('/3303/0/5700'));
      if (req.path[0] === 'observe') observing.add(caller.serverKey);
      return { code: 0x45, callerKey: caller.serverKey };
    },
  };
  router.attach(dm as unknown as DmHandler);
  const request = (address: string, port: number, path = 'read') =>
    ({ peer: makePeer(address, port), path: [path] }) as unknown as CoapRequest;
  return {
    router,
    observing,
    request,
    parked,
    setPark: (p: boolean) => {
      park = p;
    },
  };
}

describe('RequestRouter direct-access callers', () => {
  it('one host on 10,000 ports leaves no entries behind once its requests are answered', async () => {
    const { router, request } = setup();
    for (let port = 1; port <= 10_000; port++) {
      const answer = await router.serve(request('tool', port), undefined);
      expect(answer.code).toBe(0x45);
    }
    expect(router.directCallers).toBe(0);
  });

  it('keeps an entry while a request is in flight, and while the caller observes', async () => {
    const { router, request, parked, setPark, observing } = setup();
    setPark(true);
    const pending = [router.serve(request('tool', 1), undefined), router.serve(request('tool', 1), undefined)];
    await Promise.resolve();
    expect(router.directCallers).toBe(1);
    parked.shift()!();
    await pending[0];
    // The second request of the same caller still needs the entry to be authorized.
    expect(router.directCallers).toBe(1);
    parked.shift()!();
    expect((await pending[1]!).code).toBe(0x45);
    expect(router.directCallers).toBe(0);

    setPark(false);
    await router.serve(request('tool', 2, 'observe'), undefined);
    expect(router.directCallers).toBe(1);
    // The observation ends: the observation manager reports the server idle.
    observing.delete('peer:tool|2');
    router.forgetDirect('peer:tool|2');
    expect(router.directCallers).toBe(0);
  });

  it('refused peers leave nothing behind', async () => {
    const { router, request } = setup();
    for (let port = 1; port <= 100; port++) {
      await expect(router.serve(request('intruder', port), undefined)).rejects.toSatisfy(
        (e: unknown) => CoapError.isInstance(e) && e.code === 0x81,
      );
    }
    expect(router.directCallers).toBe(0);
  });
});
