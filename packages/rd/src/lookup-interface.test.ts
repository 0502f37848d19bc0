import { parseLinkFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork } from '../test/harness';

describe('RD lookup interface (RFC 9176 §7)', () => {
  let net: ReturnType<typeof createRdNetwork>;
  let n: ReturnType<typeof net.node>;
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork();
    n = net.node('client');
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  const register = async (query: string, payload: string) => {
    const res = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/rd',
      query,
      payload,
      contentFormat: 40,
    });
    expect(res.codeText).toBe('2.01');
    return res.locationPath;
  };
  const lookup = async (kind: 'ep' | 'res', query = '') => {
    const res = await n.endpoint.request({ method: 'GET', peer: n.rdPeer, path: `/rd-lookup/${kind}`, query });
    expect(res.codeText).toBe('2.05');
    expect(res.contentFormat).toBe(40);
    return res.text();
  };
  const hrefs = async (kind: 'ep' | 'res', query = '') => parseLinkFormat(await lookup(kind, query)).map((l) => l.href);

  it('RFC 9176 §7.3 resource lookup example: absolute target, anchor = base', async () => {
    await register('ep=node1&base=coap://[2001:db8:3::123]:61616', '</temp>;rt="tag:example.org,2020:temperature"');
    expect(await lookup('res', 'rt=tag:example.org,2020:temperature')).toBe(
      '<coap://[2001:db8:3::123]:61616/temp>;rt="tag:example.org,2020:temperature";anchor="coap://[2001:db8:3::123]:61616"',
    );
  });

  it('endpoint lookup by et returns the registration resources with their attributes', async () => {
    await register('ep=node5&base=coap://[2001:db8:3::127]:61616&et=oic.d.sensor', '</t>;rt="oic.r.temperature"');
    await register(
      'ep=node7&d=floor-3&base=coap://[2001:db8:3::129]:61616&et=oic.d.sensor',
      '</t>;rt="oic.r.temperature"',
    );
    await register('ep=node9&et=oic.d.light', '</l>');
    expect(await lookup('ep', 'et=oic.d.sensor')).toBe(
      '</rd/4521>;ep=node5;base="coap://[2001:db8:3::127]:61616";lt=90000;et=oic.d.sensor,' +
        '</rd/4522>;ep=node7;d=floor-3;base="coap://[2001:db8:3::129]:61616";lt=90000;et=oic.d.sensor',
    );
  });

  it('anchors and relative references are resolved against base', async () => {
    await register(
      'ep=gw&base=coap://[2001:db8::1]:5683/dev/',
      '<temp>;rt="t",</abs>;rt="a",<../up>;rt="u",<coap://other.example/x>;rt="o",</x>;anchor="/dev/ctx";rel="describedby"',
    );
    const links = parseLinkFormat(await lookup('res', 'ep=gw'));
    expect(links.map((l) => l.href)).toEqual([
      'coap://[2001:db8::1]:5683/dev/temp',
      'coap://[2001:db8::1]:5683/abs',
      'coap://[2001:db8::1]:5683/up',
      'coap://other.example/x',
      'coap://[2001:db8::1]:5683/x',
    ]);
    const anchor = links[4]!.attributes.find((a) => a.name === 'anchor');
    expect(anchor?.value).toBe('coap://[2001:db8::1]:5683/dev/ctx');
    expect(links[0]!.attributes.find((a) => a.name === 'anchor')?.value).toBe('coap://[2001:db8::1]:5683/dev/');
  });

  it('LwM2M-style object links: find the temperature objects (/3303) and their devices', async () => {
    await register(
      'ep=urn:imei:490154203237511&lt=300&lwm2m=1.1&b=U',
      '</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>,</3303/0>;ver=1.1,</3303/1>',
    );
    await register('ep=urn:imei:490154203237512&lt=300&lwm2m=1.1&b=U', '</1/0>,</3/0>,</3311/0>');
    // In endpoint lookup, href is the registration resource; link attributes still select.
    expect(await hrefs('ep', 'href=/3303*')).toEqual([]);
    expect(await hrefs('ep', 'ver=1.1')).toEqual(['/rd/4521']);
    expect(await hrefs('res', 'href=/3303/*')).toEqual(['coap://client:40000/3303/0', 'coap://client:40000/3303/1']);
    expect(await hrefs('res', 'ver=1.1')).toEqual(['coap://client:40000/3303/0']);
    expect(await hrefs('ep', 'lwm2m=1.1&b=U')).toEqual(['/rd/4521', '/rd/4522']);
    expect(await lookup('ep', 'ep=urn:imei:490154203237512')).toBe(
      '</rd/4522>;ep=urn:imei:490154203237512;base="coap://client:40000";lt=300;lwm2m=1.1;b=U',
    );
  });

  describe('filtering', () => {
    beforeEach(async () => {
      await register(
        'ep=node1&d=floor-1&et=sensor-box&vendor=acme',
        '</sensors/temp>;rt="temperature-c";if="sensor";ct=41,</sensors/light>;rt="light-lux";if="sensor";obs',
      );
      await register(
        'ep=node2&d=floor-2&et=lamp',
        '</light>;rt="oic.r.switch.binary light-lux";if="oic.if.a";title="Lamp"',
      );
      await register('ep=node1&d=floor-2', '</x>;rt="temperature-c"');
    });

    it('by link attributes: rt, if, ct, title, space-separated values, presence', async () => {
      expect(await hrefs('res', 'rt=temperature-c')).toHaveLength(2);
      expect(await hrefs('res', 'rt=light-lux')).toEqual([
        'coap://client:40000/sensors/light',
        'coap://client:40000/light',
      ]);
      expect(await hrefs('res', 'if=oic.if.a')).toEqual(['coap://client:40000/light']);
      expect(await hrefs('res', 'ct=41')).toEqual(['coap://client:40000/sensors/temp']);
      expect(await hrefs('res', 'title=Lamp')).toEqual(['coap://client:40000/light']);
      expect(await hrefs('res', 'obs')).toEqual(['coap://client:40000/sensors/light']);
      expect(await hrefs('res', 'rt=temp*')).toHaveLength(2);
      expect(await hrefs('res', 'rt=nothing')).toEqual([]);
    });

    it('by endpoint attributes in resource lookup, and by link attributes in endpoint lookup', async () => {
      expect(await hrefs('res', 'ep=node1&d=floor-1')).toEqual([
        'coap://client:40000/sensors/temp',
        'coap://client:40000/sensors/light',
      ]);
      expect(await hrefs('res', 'vendor=acme&rt=light-lux')).toEqual(['coap://client:40000/sensors/light']);
      expect(await hrefs('res', 'et=lamp')).toEqual(['coap://client:40000/light']);
      expect(await hrefs('ep', 'rt=light-lux')).toEqual(['/rd/4521', '/rd/4522']);
      expect(await hrefs('ep', 'rt=light-lux&if=oic.if.a')).toEqual(['/rd/4522']);
      // Both criteria must hold for one link: no link of node1 is light-lux with ct=41.
      expect(await hrefs('ep', 'rt=light-lux&ct=41')).toEqual([]);
      expect(await hrefs('ep', 'ep=node*')).toEqual(['/rd/4521', '/rd/4522', '/rd/4523']);
      expect(await hrefs('ep', 'vendor')).toEqual(['/rd/4521']);
    });

    it('sectors are kept apart: the same ep in two sectors is two registrations', async () => {
      expect(await hrefs('ep', 'ep=node1')).toEqual(['/rd/4521', '/rd/4523']);
      expect(await hrefs('ep', 'ep=node1&d=floor-2')).toEqual(['/rd/4523']);
      expect(await hrefs('res', 'd=floor-2')).toEqual(['coap://client:40000/light', 'coap://client:40000/x']);
      expect(await hrefs('ep', 'd=floor-9')).toEqual([]);
    });

    it('href patterns with a trailing *, relative or absolute', async () => {
      expect(await hrefs('res', 'href=/sensors/*')).toEqual([
        'coap://client:40000/sensors/temp',
        'coap://client:40000/sensors/light',
      ]);
      expect(await hrefs('res', 'href=/light')).toEqual(['coap://client:40000/light']);
      expect(await hrefs('res', 'href=coap://client:40000/sensors/t*')).toEqual(['coap://client:40000/sensors/temp']);
      expect(await hrefs('ep', 'href=/rd/4522')).toEqual(['/rd/4522']);
      expect(await hrefs('ep', 'href=/rd/452*')).toHaveLength(3);
    });

    it('page and count (pages start at 0)', async () => {
      const all = await hrefs('res');
      expect(all).toHaveLength(4);
      expect(await hrefs('res', 'count=3')).toEqual(all.slice(0, 3));
      expect(await hrefs('res', 'page=0&count=3')).toEqual(all.slice(0, 3));
      expect(await hrefs('res', 'page=1&count=3')).toEqual(all.slice(3));
      expect(await hrefs('res', 'page=2&count=3')).toEqual([]);
      expect(await hrefs('ep', 'page=1&count=1')).toEqual(['/rd/4522']);
      expect(await hrefs('res', 'rt=temperature-c&page=1&count=1')).toEqual(['coap://client:40000/x']);
    });
  });

  it('an expired registration is not found even before the sweep runs', async () => {
    await register('ep=brief&lt=10', '</a>');
    const clock = net.rd.clock;
    const real = clock.now();
    // Look 11 s ahead without letting the expiry timer fire: the lookup filters on its own.
    const spy = vi.spyOn(Date, 'now').mockReturnValue(real + 11_000);
    expect(await hrefs('ep', 'ep=brief')).toEqual([]);
    spy.mockRestore();
  });

  it('observe: a client observing a lookup is told when matching registrations appear or go', async () => {
    const watcher = net.node('watcher');
    const obs = watcher.endpoint.observe({
      peer: watcher.rdPeer,
      path: '/rd-lookup/res',
      query: 'rt=oic.r.switch.binary',
    });
    const seen: string[] = [];
    const done = (async () => {
      for await (const r of obs) seen.push(r.text());
    })();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['']);

    const lamp = net.node('lamp');
    const loc = (
      await lamp.endpoint.request({
        method: 'POST',
        peer: lamp.rdPeer,
        path: '/rd',
        query: 'ep=lamp&lt=60',
        payload: '</light>;rt="oic.r.switch.binary"',
      })
    ).locationPath;
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatch(/^<coap:\/\/lamp:\d+\/light>;rt="oic.r.switch.binary"/);

    // A registration that cannot match the observed query causes no notification.
    await register('ep=thermo', '</t>;rt="temperature"');
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toHaveLength(2);

    expect((await lamp.endpoint.request({ method: 'DELETE', peer: lamp.rdPeer, path: loc })).codeText).toBe('2.02');
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toBe('');

    // ... and when one expires.
    await lamp.endpoint.request({
      method: 'POST',
      peer: lamp.rdPeer,
      path: '/rd',
      query: 'ep=lamp&lt=5',
      payload: '</light>;rt="oic.r.switch.binary"',
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toHaveLength(5);
    expect(seen[4]).toBe('');
    await obs.cancel();
    await done;
    expect(net.rdEndpoint.observerCount()).toBe(0);
  });

  it('a cancelled observation stops causing notifications for the others', async () => {
    const watch = (query: string) => {
      const w = net.node(`w-${query}`);
      const obs = w.endpoint.observe({ peer: w.rdPeer, path: '/rd-lookup/res', query });
      const seen: string[] = [];
      const done = (async () => {
        for await (const r of obs) seen.push(r.text());
      })();
      return { obs, seen, done };
    };
    const a = watch('rt=a');
    const b = watch('rt=b');
    await vi.advanceTimersByTimeAsync(1);
    await a.obs.cancel();
    await a.done;
    await register('ep=a1', '</x>;rt="a"');
    await vi.advanceTimersByTimeAsync(1);
    const afterFirst = b.seen.length; // at most one unchanged notification while the stale query is found out
    expect(afterFirst).toBeLessThanOrEqual(2);
    for (const ep of ['a2', 'a3', 'a4']) await register(`ep=${ep}`, '</x>;rt="a"');
    await vi.advanceTimersByTimeAsync(1);
    expect(b.seen.length).toBe(afterFirst);
    await register('ep=b1', '</y>;rt="b"');
    await vi.advanceTimersByTimeAsync(1);
    expect(b.seen.length).toBe(afterFirst + 1);
    expect(b.seen.at(-1)).toMatch(/\/y>;rt="b"/);
    await b.obs.cancel();
    await b.done;
  });

  it('observe an endpoint lookup filtered by sector', async () => {
    const watcher = net.node('watcher');
    const obs = watcher.endpoint.observe({ peer: watcher.rdPeer, path: '/rd-lookup/ep', query: 'd=kitchen' });
    const seen: string[][] = [];
    const done = (async () => {
      for await (const r of obs) seen.push(parseLinkFormat(r.payload).map((l) => l.href));
    })();
    await vi.advanceTimersByTimeAsync(1);
    await register('ep=a&d=kitchen', '</a>');
    await vi.advanceTimersByTimeAsync(1);
    await register('ep=b&d=garage', '</b>');
    await vi.advanceTimersByTimeAsync(1);
    await register('ep=c&d=kitchen', '</c>');
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([[], ['/rd/4521'], ['/rd/4521', '/rd/4523']]);
    await obs.cancel();
    await done;
  });
});
