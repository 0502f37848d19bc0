/**
 * draft-jimenez-t2trg-coap-functionality-lwm2m §3.2: devices find each other through the RD
 * and then talk CoAP directly — no LwM2M server anywhere.
 */
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork } from '../test/harness';
import { RdClient } from './rd-client';

describe('device to device through the RD', () => {
  let net: ReturnType<typeof createRdNetwork>;
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork();
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  it('a switch finds a light by rt, switches it with a direct PUT and observes it', async () => {
    // The light: a plain CoAP endpoint with a binary switch (OCF rt) and the IPSO Light Control object.
    const light = net.node('light');
    let on = false;
    light.endpoint.router.add('/light', {
      rt: 'oic.r.switch.binary',
      observable: true,
      get: () => ({ payload: on ? '1' : '0', contentFormat: ContentFormat.TEXT_PLAIN }),
      put: (req) => {
        const v = req.text();
        if (v !== '0' && v !== '1') return { code: CoapCode.BAD_REQUEST };
        on = v === '1';
        light.endpoint.notify('/light');
        return { code: CoapCode.CHANGED };
      },
    });
    light.endpoint.router.get('/3311/0/5850', () => ({ payload: on ? '1' : '0' }), { rt: 'urn:oma:lwm2m:ext:3311' });
    const lightRd = new RdClient({ endpoint: light.endpoint, rd: { peer: light.rdPeer } });
    const registration = await lightRd.register(
      '</light>;rt="oic.r.switch.binary";obs,</3311/0/5850>;rt="urn:oma:lwm2m:ext:3311"',
      { ep: 'light-1', d: 'living-room', lt: 300 },
    );

    // The switch: knows only the RD.
    const sw = net.node('switch');
    const swRd = new RdClient({ endpoint: sw.endpoint, rd: { peer: sw.rdPeer } });
    await swRd.discover();
    const found = await swRd.lookupResources({ rt: 'oic.r.switch.binary', d: 'living-room' });
    expect(found).toHaveLength(1);
    const target = found[0]!.href;
    expect(target).toBe(`coap://light:${light.transport.localAddress()!.port}/light`);
    const ipso = await swRd.lookupResources({ rt: 'urn:oma:lwm2m:ext:3311' });
    expect(ipso.map((l) => l.href)).toEqual([`coap://light:${light.transport.localAddress()!.port}/3311/0/5850`]);

    // Observe the light found through the RD, then switch it on and off directly.
    const obs = sw.endpoint.observe({ uri: target });
    const states: string[] = [];
    const done = (async () => {
      for await (const n of obs) states.push(n.text());
    })();
    await vi.advanceTimersByTimeAsync(1);
    const put1 = await sw.endpoint.request({
      method: 'PUT',
      uri: target,
      payload: '1',
      contentFormat: ContentFormat.TEXT_PLAIN,
    });
    expect(put1.codeText).toBe('2.04');
    expect(on).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    const put0 = await sw.endpoint.request({ method: 'PUT', uri: target, payload: '0' });
    expect(put0.codeText).toBe('2.04');
    await vi.advanceTimersByTimeAsync(1);
    expect(states).toEqual(['0', '1', '0']);
    expect(light.endpoint.observerCount('/light')).toBe(1);
    // The RD only brokered the discovery: no request to the RD carried the switching.
    expect(
      (
        await sw.endpoint.request({
          method: 'GET',
          uri: `coap://light:${light.transport.localAddress()!.port}/3311/0/5850`,
        })
      ).text(),
    ).toBe('0');

    await obs.cancel();
    await done;
    await registration.remove();
    expect(await swRd.lookupResources({ rt: 'oic.r.switch.binary' })).toEqual([]);
  });
});
