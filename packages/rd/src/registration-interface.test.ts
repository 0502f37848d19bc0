import { CoapCode, ContentFormat, createOption, MessageType, OptionNumber, parseLinkFormat } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork, hex } from '../test/harness';

const enc = (s: string) => new TextEncoder().encode(s);
const RFC_LINKS = '</sensors/temp>;rt="temperature-c";if="sensor",\n</sensors/light>;rt="light-lux";if="sensor"';

describe('RD registration interface (RFC 9176 §5)', () => {
  let net: ReturnType<typeof createRdNetwork>;
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork();
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  it('discovery: /.well-known/core?rt=core.rd* lists the three interfaces with ct=40', async () => {
    const n = net.node('ep');
    const res = await n.endpoint.request({
      method: 'GET',
      peer: n.rdPeer,
      path: '/.well-known/core',
      query: 'rt=core.rd*',
    });
    expect(res.text()).toBe(
      '</rd>;rt="core.rd";ct=40,</rd-lookup/ep>;rt="core.rd-lookup-ep";ct=40;obs,</rd-lookup/res>;rt="core.rd-lookup-res";ct=40;obs',
    );
    const lookupOnly = await n.endpoint.request({
      method: 'GET',
      peer: n.rdPeer,
      path: '/.well-known/core',
      query: 'rt=core.rd-lookup-res',
    });
    expect(parseLinkFormat(lookupOnly.payload).map((l) => l.href)).toEqual(['/rd-lookup/res']);
  });

  it('RFC 9176 §5.3 example, on the wire: POST /rd?ep=node1 -> ACK 2.01 Location-Path /rd/4521', async () => {
    const raw = net.raw('node1');
    await raw.send({
      type: MessageType.CON,
      code: CoapCode.POST,
      messageId: 0x1234,
      token: Uint8Array.of(0x7a),
      options: [
        createOption(OptionNumber.URI_PATH, 'rd'),
        createOption(OptionNumber.CONTENT_FORMAT, 40),
        createOption(OptionNumber.URI_QUERY, 'ep=node1'),
      ],
      payload: enc(RFC_LINKS),
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(raw.received).toHaveLength(1);
    // ACK, TKL 1, 2.01, MID 0x1234, token 7a, Location-Path "rd" (delta 8), Location-Path "4521"
    expect(hex(raw.received[0]!.bytes)).toBe('61 41 12 34 7a 82 72 64 04 34 35 32 31');
    const reg = await net.rd.store.get('4521');
    expect(reg?.ep).toBe('node1');
    expect(reg?.base).toBe(`coap://node1:${raw.transport.localAddress()?.port}`);
    expect(reg?.lt).toBe(90_000);
    expect(reg?.links.map((l) => l.href)).toEqual(['/sensors/temp', '/sensors/light']);
  });

  it('GET of the registration resource returns the links as registered', async () => {
    const n = net.node('node1');
    const created = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/rd',
      query: 'ep=node1&et=oic.d.sensor',
      payload: RFC_LINKS,
      contentFormat: ContentFormat.LINK_FORMAT,
    });
    expect(created.codeText).toBe('2.01');
    expect(created.locationPath).toEqual(['rd', '4521']);
    const got = await n.endpoint.request({ method: 'GET', peer: n.rdPeer, path: created.locationPath });
    expect(got.codeText).toBe('2.05');
    expect(got.contentFormat).toBe(40);
    expect(got.text()).toBe(
      '</sensors/temp>;rt="temperature-c";if="sensor",</sensors/light>;rt="light-lux";if="sensor"',
    );
    const json = await n.endpoint.request({ method: 'GET', peer: n.rdPeer, path: created.locationPath, accept: 50 });
    expect(json.codeText).toBe('4.06');
  });

  it('update without payload refreshes the lifetime; with payload replaces the links; base changes', async () => {
    const n = net.node('node1');
    const loc = (
      await n.endpoint.request({
        method: 'POST',
        peer: n.rdPeer,
        path: '/rd',
        query: 'ep=node1&lt=60',
        payload: RFC_LINKS,
      })
    ).locationPath;
    await vi.advanceTimersByTimeAsync(50_000);
    const up = await n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: loc });
    expect(up.codeText).toBe('2.04');
    const afterRefresh = await net.rd.store.get('4521');
    expect(afterRefresh!.expiresAt - Date.now()).toBe(60_000);
    expect(afterRefresh!.links).toHaveLength(2);

    const withLinks = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: loc,
      query: 'lt=120&et=oic.d.light',
      payload: '</light>;rt="oic.r.switch.binary"',
      contentFormat: 40,
    });
    expect(withLinks.codeText).toBe('2.04');
    const r = (await net.rd.store.get('4521'))!;
    expect(r.lt).toBe(120);
    expect(r.links.map((l) => l.href)).toEqual(['/light']);
    expect(r.attributes).toEqual([{ name: 'et', value: 'oic.d.light' }]);

    const based = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: loc,
      query: 'base=coap://[2001:db8::7]:61616',
    });
    expect(based.codeText).toBe('2.04');
    expect((await net.rd.store.get('4521'))!.base).toBe('coap://[2001:db8::7]:61616');
    expect((await net.rd.store.get('4521'))!.baseExplicit).toBe(true);
  });

  it('an implicit base follows the source address of an update; an explicit one stays', async () => {
    const a = net.node('old-address');
    const loc = (
      await a.endpoint.request({ method: 'POST', peer: a.rdPeer, path: '/rd', query: 'ep=mover', payload: '</x>' })
    ).locationPath;
    const b = net.node('new-address');
    expect((await b.endpoint.request({ method: 'POST', peer: b.rdPeer, path: loc })).codeText).toBe('2.04');
    expect((await net.rd.store.get('4521'))!.base).toBe(`coap://new-address:${b.transport.localAddress()!.port}`);

    const c = net.node('tool');
    const loc2 = (
      await c.endpoint.request({
        method: 'POST',
        peer: c.rdPeer,
        path: '/rd',
        query: 'ep=fixed&base=coap://[2001:db8::2]',
        payload: '</y>',
      })
    ).locationPath;
    await c.endpoint.request({ method: 'POST', peer: c.rdPeer, path: loc2 });
    expect((await net.rd.store.get(loc2[1]!))!.base).toBe('coap://[2001:db8::2]');
  });

  it('removal: DELETE answers 2.02, then 4.04 for the gone resource', async () => {
    const n = net.node('node1');
    const loc = (
      await n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: '/rd', query: 'ep=node1', payload: '</a>' })
    ).locationPath;
    expect((await n.endpoint.request({ method: 'DELETE', peer: n.rdPeer, path: loc })).codeText).toBe('2.02');
    expect((await n.endpoint.request({ method: 'DELETE', peer: n.rdPeer, path: loc })).codeText).toBe('4.04');
    expect((await n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: loc })).codeText).toBe('4.04');
    expect(await net.rd.store.size()).toBe(0);
  });

  it('lifetime expiry: the registration disappears lt seconds after the last update', async () => {
    const n = net.node('node1');
    const events: string[] = [];
    net.rd.onChange((e) => events.push(`${e.type}:${e.registration.ep}`));
    const loc = (
      await n.endpoint.request({
        method: 'POST',
        peer: n.rdPeer,
        path: '/rd',
        query: 'ep=node1&lt=30',
        payload: '</a>',
      })
    ).locationPath;
    await vi.advanceTimersByTimeAsync(29_000);
    expect(await net.rd.store.size()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await net.rd.store.size()).toBe(0);
    expect(events).toEqual(['registered:node1', 'expired:node1']);
    expect((await n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: loc })).codeText).toBe('4.04');
  });

  it('re-registration with the same ep and d keeps the registration resource and replaces the content', async () => {
    const n = net.node('node1');
    const first = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/rd',
      query: 'ep=node1',
      payload: '</a>',
    });
    const second = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/rd',
      query: 'ep=node1',
      payload: '</b>',
    });
    expect(second.codeText).toBe('2.01');
    expect(second.locationPath).toEqual(first.locationPath);
    expect(await net.rd.store.size()).toBe(1);
    const other = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/rd',
      query: 'ep=node1&d=floor-3',
      payload: '</c>',
    });
    expect(other.locationPath).not.toEqual(first.locationPath);
    expect(await net.rd.store.size()).toBe(2);
  });

  it('concurrent registrations of one endpoint end in one registration resource', async () => {
    const nodes = ['c1', 'c2', 'c3', 'c4', 'c5'].map((name) => net.node(name));
    const answers = await Promise.all(
      nodes.map((n, i) =>
        n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: '/rd', query: 'ep=racer', payload: `</r${i}>` }),
      ),
    );
    expect(answers.map((a) => a.codeText)).toEqual(['2.01', '2.01', '2.01', '2.01', '2.01']);
    expect(new Set(answers.map((a) => a.locationPath.join('/'))).size).toBe(1);
    expect(await net.rd.store.size()).toBe(1);
  });

  it('simple registration: POST /.well-known/rd, the RD fetches /.well-known/core and answers 2.04', async () => {
    const n = net.node('simple');
    n.endpoint.router.get('/sensors/temp', () => ({ payload: '21' }), { rt: 'temperature', observable: true });
    const res = await n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/.well-known/rd',
      query: 'ep=simple&lt=6000',
    });
    expect(res.codeText).toBe('2.04');
    const reg = await net.rd.store.findByName('simple', undefined);
    expect(reg?.lt).toBe(6000);
    expect(reg?.links).toEqual([
      {
        href: '/sensors/temp',
        attributes: [
          { name: 'rt', value: 'temperature', quoted: true },
          { name: 'obs', value: true },
        ],
      },
    ]);
  });

  it('simple registration from a node that does not answer: 5.04, nothing registered', async () => {
    const raw = net.raw('mute');
    await raw.send({
      type: MessageType.CON,
      code: CoapCode.POST,
      messageId: 1,
      token: Uint8Array.of(1),
      options: [
        createOption(OptionNumber.URI_PATH, '.well-known'),
        createOption(OptionNumber.URI_PATH, 'rd'),
        createOption(OptionNumber.URI_QUERY, 'ep=mute'),
      ],
    });
    // The RD's GET is never answered; the RD gives up after simpleRegistrationTimeoutMs (30 s).
    await vi.advanceTimersByTimeAsync(31_000);
    const answer = raw.received.find((r) => r.msg.code === CoapCode.GATEWAY_TIMEOUT);
    expect(answer).toBeDefined();
    expect(await net.rd.store.size()).toBe(0);
  });

  it('third-party registration: a commissioning tool registers a device with base', async () => {
    const tool = net.node('tool', { identity: { kind: 'psk', identity: 'commissioner' } });
    const res = await tool.endpoint.request({
      method: 'POST',
      peer: tool.rdPeer,
      path: '/rd',
      query: ['ep=lamp-7', 'base=coap://[2001:db8:4::7]:5683'],
      payload: '</light>;rt="oic.r.switch.binary"',
    });
    expect(res.codeText).toBe('2.01');
    const reg = (await net.rd.store.findByName('lamp-7', undefined))!;
    expect(reg.base).toBe('coap://[2001:db8:4::7]:5683');
    expect(reg.owner).toBe('psk:commissioner');
    const found = await tool.endpoint.request({
      method: 'GET',
      peer: tool.rdPeer,
      path: '/rd-lookup/res',
      query: 'ep=lamp-7',
    });
    expect(found.text()).toBe(
      '<coap://[2001:db8:4::7]:5683/light>;rt="oic.r.switch.binary";anchor="coap://[2001:db8:4::7]:5683"',
    );
  });
});
