import { parseLinkFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork } from '../test/harness';
import { RdClient } from './rd-client';

describe('RdClient', () => {
  let net: ReturnType<typeof createRdNetwork>;
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork();
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  it('discovers the RD interfaces through /.well-known/core', async () => {
    const n = net.node('dev');
    const client = new RdClient({ endpoint: n.endpoint, rd: { peer: n.rdPeer } });
    expect(await client.discover()).toEqual({
      registration: '/rd',
      lookupEp: '/rd-lookup/ep',
      lookupRes: '/rd-lookup/res',
    });
  });

  it('registers, keeps the registration fresh before lt runs out, and removes it', async () => {
    const n = net.node('dev');
    const client = new RdClient({ endpoint: n.endpoint, rd: { peer: n.rdPeer } });
    const reg = await client.register('</sensors/temp>;rt="temperature"', { ep: 'dev', lt: 60, et: 'sensor' });
    expect(reg.location).toEqual(['rd', '4521']);
    const updates: number[] = [];
    net.rd.onChange((e) => {
      if (e.type === 'updated') updates.push(Date.now());
    });
    // Ten lifetimes later the registration is still there: refreshed every 54 s (90% of lt).
    await vi.advanceTimersByTimeAsync(600_000);
    expect(await net.rd.store.size()).toBe(1);
    expect(updates.length).toBe(11);
    expect((await client.lookupEndpoints({ ep: 'dev' })).map((l) => l.href)).toEqual(['/rd/4521']);
    await reg.remove();
    expect(await net.rd.store.size()).toBe(0);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(await net.rd.store.size()).toBe(0);
  });

  it('registers again when the RD forgot the registration (4.04 on update)', async () => {
    const n = net.node('dev');
    const client = new RdClient({ endpoint: n.endpoint, rd: { peer: n.rdPeer } });
    const reg = await client.register('</a>', { ep: 'dev', lt: 100 });
    // The RD loses its state (e.g. restarted with an empty store).
    await net.rd.store.delete('4521');
    await vi.advanceTimersByTimeAsync(90_000);
    expect(reg.location).toEqual(['rd', '4522']);
    expect((await net.rd.store.findByName('dev', undefined))?.links.map((l) => l.href)).toEqual(['/a']);
    reg.close();
  });

  it('a failed refresh is retried and reported', async () => {
    const n = net.node('dev');
    const errors: unknown[] = [];
    const client = new RdClient({
      endpoint: n.endpoint,
      rd: { peer: n.rdPeer },
      retryMs: 5_000,
      onError: (e) => errors.push(e),
    });
    const reg = await client.register('</a>', { ep: 'dev', lt: 600 });
    net.network.setConditions({ loss: 1 }, 'dev');
    await vi.advanceTimersByTimeAsync(540_000 + 250_000); // first refresh attempt times out (EXCHANGE_LIFETIME)
    expect(errors.length).toBeGreaterThanOrEqual(1);
    net.network.setConditions({ loss: 0 }, 'dev');
    await vi.advanceTimersByTimeAsync(300_000);
    expect(await net.rd.store.size()).toBe(1);
    reg.close();
  });

  it('lookups by attribute, and an observed lookup', async () => {
    const a = net.node('a');
    const b = net.node('b');
    const ca = new RdClient({ endpoint: a.endpoint, rd: { peer: a.rdPeer } });
    const cb = new RdClient({ endpoint: b.endpoint, rd: { peer: b.rdPeer } });
    const ra = await ca.register('</t>;rt="temperature"', { ep: 'a' });
    const obs = cb.observeResources({ rt: 'humidity' });
    const seen: string[][] = [];
    const done = (async () => {
      for await (const r of obs) seen.push(parseLinkFormat(r.payload).map((l) => l.href));
    })();
    await vi.advanceTimersByTimeAsync(1);
    const rb = await cb.register('</h>;rt="humidity"', { ep: 'b', d: 'lab' });
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([[], [`coap://b:${b.transport.localAddress()!.port}/h`]]);
    expect((await ca.lookupResources('rt=temperature')).map((l) => l.href)).toEqual([
      `coap://a:${a.transport.localAddress()!.port}/t`,
    ]);
    expect((await ca.lookupEndpoints(['d=lab'])).map((l) => l.href)).toEqual(['/rd/4522']);
    await obs.cancel();
    await done;
    ra.close();
    rb.close();
  });

  it('works against a URI target as well', async () => {
    const n = net.node('dev');
    const client = new RdClient({ endpoint: n.endpoint, rd: { uri: 'coap://rd:5683' } });
    const reg = await client.register('</x>', { ep: 'uri-dev', attributes: { vendor: 'acme' } });
    expect((await client.lookupEndpoints('vendor=acme')).length).toBe(1);
    await reg.remove();
  });
});
