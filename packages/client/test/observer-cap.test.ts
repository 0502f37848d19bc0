/**
 * The engine's observer cap (`maxObservers`) and the client's own bookkeeping agree: an Observe
 * the engine refuses (it answers a plain 2.05 without Observe, RFC 7641 §2, §4.1) leaves no
 * observation record, no direct-access router entry and no pinned attributes on the client.
 */
import { type CoapResponse, Endpoint } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestRouter } from '../src/access/request-router';
import { type AttributeStore, DEFAULT_MAX_DIRECT_CALLERS } from '../src/attributes/attribute-store';
import { ipsoSensor } from '../src/index';
import type { ObservationManager } from '../src/observe/observation-manager';
import { type Setup, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Internals {
  observations: ObservationManager;
  router: RequestRouter;
  attributes: AttributeStore;
}
const internals = (s: Setup) => s.client as unknown as Internals;
/** Callers whose attributes cannot be evicted because they observe something. */
const pinned = (s: Setup) =>
  new Set(
    internals(s)
      .observations.list()
      .map((r) => r.server),
  ).size;

function tool(s: Setup, port: number) {
  const transport = s.network.transport('tool', { port });
  return { endpoint: new Endpoint({ transport }), client: transport.peerOf(s.clientTransport) };
}

function collect(obs: AsyncIterable<CoapResponse>): CoapResponse[] {
  const got: CoapResponse[] = [];
  void (async () => {
    for await (const n of obs) got.push(n);
  })();
  return got;
}

function cappedSetup() {
  const sensor = ipsoSensor({ value: 21 });
  const s = setup([{ id: 3303, instances: { 0: sensor } }], {
    directAccess: [{ address: 'tool', operations: ['read'] }],
    endpoint: { observe: { maxObservers: 2 } },
  });
  return { s, sensor };
}

describe('observer cap and client-side observation state', () => {
  it('100 observing peers with maxObservers 2 leave at most 2 records, router entries and pins', async () => {
    const { s, sensor } = cappedSetup();
    await started(s);
    const tools: ReturnType<typeof tool>[] = [];
    const answers: CoapResponse[][] = [];
    for (let port = 7000; port < 7100; port++) {
      const t = tool(s, port);
      tools.push(t);
      const attrs = await t.endpoint.request({ method: 'PUT', peer: t.client, path: '/3303/0/5700', query: 'pmin=1' });
      expect(attrs.code).toBe(CoapCode.CHANGED);
      answers.push(collect(t.endpoint.observe({ peer: t.client, path: '/3303/0/5700' })));
      await settle(2);
    }
    // Everyone got 2.05 with the value; only the first two got Observe (the engine kept them).
    expect(answers.every((a) => a[0]?.code === CoapCode.CONTENT && a[0].text() === '21')).toBe(true);
    expect(answers.map((a) => a[0]!.observe !== undefined).filter(Boolean)).toHaveLength(2);
    expect(answers[0]![0]!.observe).toBeTypeOf('number');
    expect(answers[1]![0]!.observe).toBeTypeOf('number');
    expect(answers[2]![0]!.observe).toBeUndefined();

    const { observations, router, attributes } = internals(s);
    expect(observations.size).toBe(2);
    expect(router.directCallers).toBe(2);
    expect(pinned(s)).toBe(2);
    // Unpinned writers are evicted down to the LRU cap (before the fix all 100 were pinned).
    expect(attributes.callers).toBeLessThanOrEqual(DEFAULT_MAX_DIRECT_CALLERS);

    // The two kept observers still get notifications; nobody else does.
    await vi.advanceTimersByTimeAsync(1_500);
    sensor.update(31);
    await settle();
    expect(answers[0]!.map((r) => r.text())).toEqual(['21', '31']);
    expect(answers[1]!.map((r) => r.text())).toEqual(['21', '31']);
    expect(answers.slice(2).every((a) => a.length === 1)).toBe(true);
    expect(observations.size).toBe(2);
    await s.client.stop({ deregister: false });
  }, 60_000);

  it('a refused Observe-Composite records nothing either', async () => {
    const { s } = cappedSetup();
    await started(s);
    const body = JSON.stringify([{ n: '/3303/0/5700' }]);
    const observeComposite = (t: ReturnType<typeof tool>) =>
      collect(
        t.endpoint.observe({
          peer: t.client,
          method: 'FETCH',
          path: '/',
          payload: body,
          contentFormat: ContentFormat.SENML_JSON,
          accept: ContentFormat.SENML_JSON,
        }),
      );
    const got = [7200, 7201, 7202].map((port) => observeComposite(tool(s, port)));
    await settle();
    expect(got.map((a) => a[0]?.code)).toEqual([CoapCode.CONTENT, CoapCode.CONTENT, CoapCode.CONTENT]);
    expect(got.map((a) => a[0]!.observe !== undefined)).toEqual([true, true, false]);
    expect(internals(s).observations.size).toBe(2);
    expect(internals(s).router.directCallers).toBe(2);
    await s.client.stop({ deregister: false });
  });
});
