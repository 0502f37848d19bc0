import { CoapCode, createOption, decodeUint, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork } from '../test/harness';

describe('RD: bad input gets a clear code and corrupts nothing', () => {
  let net: ReturnType<typeof createRdNetwork>;
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork({ rd: { maxRegistrations: 3 } });
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  const post = (n: ReturnType<typeof net.node>, query: string, payload?: string | Uint8Array, contentFormat?: number) =>
    n.endpoint.request({
      method: 'POST',
      peer: n.rdPeer,
      path: '/rd',
      query,
      ...(payload !== undefined ? { payload } : {}),
      ...(contentFormat !== undefined ? { contentFormat } : {}),
    });

  it('registration parameters and bodies', async () => {
    const n = net.node('n');
    const good = await post(n, 'ep=good&lt=100', '</a>;rt="x"');
    expect(good.codeText).toBe('2.01');
    const before = await net.rd.store.get('4521');

    const cases: [string, string | Uint8Array | undefined, number | undefined, string, RegExp][] = [
      ['lt=100', '</a>', undefined, '4.00', /missing ep/],
      ['ep=', '</a>', undefined, '4.00', /ep must be/],
      [`ep=${'x'.repeat(64)}`, '</a>', undefined, '4.00', /ep must be 1\.\.63 bytes/],
      ['ep=a&ep=b', '</a>', undefined, '4.00', /ep given twice/],
      // RFC 9176 §5.3: an absent d may leave the sector "empty"; an explicit empty d would be
      // indistinguishable from that on the wire, so it is refused rather than made a sector.
      ['ep=bad&d=', '</a>', undefined, '4.00', /d must be 1\.\.63 bytes/],
      ['ep=bad&d', '</a>', undefined, '4.00', /d must be 1\.\.63 bytes/],
      ['ep=bad', '</a>;rt="unterminated', undefined, '4.00', /malformed link format/],
      ['ep=bad', 'not a link', undefined, '4.00', /malformed link format/],
      ['ep=bad', Uint8Array.of(0x3c, 0xff, 0xfe, 0x3e), undefined, '4.00', /./],
      ['ep=bad&lt=0', '</a>', undefined, '4.00', /lt must be 1\.\.4294967295/],
      ['ep=bad&lt=4294967296', '</a>', undefined, '4.00', /lt must be/],
      ['ep=bad&lt=99999999999', '</a>', undefined, '4.00', /lt must be an integer/],
      ['ep=bad&lt=-5', '</a>', undefined, '4.00', /lt must be an integer/],
      ['ep=bad&base=not-a-uri', '</a>', undefined, '4.00', /base must be/],
      ['ep=bad&base=coap://h/?q=1', '</a>', undefined, '4.00', /base must be/],
      ['ep=bad&page=1', '</a>', undefined, '4.00', /page is not a registration attribute/],
      ['ep=bad', '{"href":"/a"}', 50, '4.15', /link-format/],
    ];
    for (const [query, payload, cf, code, why] of cases) {
      const res = await post(n, query, payload, cf);
      expect(`${query} -> ${res.codeText}`).toBe(`${query} -> ${code}`);
      expect(res.text()).toMatch(why);
    }
    expect(await net.rd.store.size()).toBe(1);
    expect(await net.rd.store.get('4521')).toEqual(before);
  });

  it('a giant payload is 4.13 with Size1, block-wise or not', async () => {
    const n = net.node('n');
    const giant = `</a>;title="${'x'.repeat(70_000)}"`;
    const res = await post(n, 'ep=giant', giant);
    expect(res.codeText).toBe('4.13');
    const size1 = res.options.find((o) => o.number === 60);
    expect(size1 && decodeUint(size1.value)).toBe(65536);
    // One datagram, no Block1.
    const raw = net.raw('raw');
    await raw.send({
      type: MessageType.CON,
      code: CoapCode.POST,
      messageId: 9,
      token: Uint8Array.of(9),
      options: [createOption(OptionNumber.URI_PATH, 'rd'), createOption(OptionNumber.URI_QUERY, 'ep=giant')],
      payload: new TextEncoder().encode(giant),
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(raw.received.map((r) => r.msg.code)).toEqual([CoapCode.REQUEST_ENTITY_TOO_LARGE]);
    expect(await net.rd.store.size()).toBe(0);
  });

  it('too many links is 4.13; the registration limit is 5.03', async () => {
    const n = net.node('n');
    const many = Array.from({ length: 1001 }, (_, i) => `</r${i}>`).join(',');
    expect((await post(n, 'ep=many', many)).codeText).toBe('4.13');
    for (const ep of ['a', 'b', 'c']) expect((await post(n, `ep=${ep}`, '</x>')).codeText).toBe('2.01');
    const full = await post(n, 'ep=d', '</x>');
    expect(full.codeText).toBe('5.03');
    // Re-registering an existing endpoint still works at the limit.
    expect((await post(n, 'ep=a', '</y>')).codeText).toBe('2.01');
  });

  it('only the registrant identity may update, remove, read or take over a registration (4.03)', async () => {
    const owner = net.node('owner', { identity: { kind: 'psk', identity: 'dev-1' } });
    const intruder = net.node('intruder', { identity: { kind: 'psk', identity: 'dev-2' } });
    const anonymous = net.node('anonymous');
    const loc = (await post(owner, 'ep=dev1&lt=100', '</temp>')).locationPath;
    const snapshot = await net.rd.store.get('4521');

    for (const who of [intruder, anonymous]) {
      expect(
        (await who.endpoint.request({ method: 'POST', peer: who.rdPeer, path: loc, query: 'lt=5' })).codeText,
      ).toBe('4.03');
      expect(
        (await who.endpoint.request({ method: 'POST', peer: who.rdPeer, path: loc, payload: '</evil>' })).codeText,
      ).toBe('4.03');
      expect((await who.endpoint.request({ method: 'DELETE', peer: who.rdPeer, path: loc })).codeText).toBe('4.03');
      expect((await who.endpoint.request({ method: 'GET', peer: who.rdPeer, path: loc })).codeText).toBe('4.03');
      expect((await post(who, 'ep=dev1', '</hijack>')).codeText).toBe('4.03');
    }
    expect(await net.rd.store.get('4521')).toEqual(snapshot);

    // The same identity from another address is the owner.
    const moved = net.node('moved', { identity: { kind: 'psk', identity: 'dev-1' } });
    expect((await moved.endpoint.request({ method: 'POST', peer: moved.rdPeer, path: loc })).codeText).toBe('2.04');
    expect((await moved.endpoint.request({ method: 'DELETE', peer: moved.rdPeer, path: loc })).codeText).toBe('2.02');
  });

  it('updates cannot rename the endpoint or move its sector', async () => {
    const n = net.node('n');
    const loc = (await post(n, 'ep=e1&d=s1', '</a>')).locationPath;
    for (const q of ['ep=e2', 'd=s2', 'lt=0', 'base=x']) {
      expect((await n.endpoint.request({ method: 'POST', peer: n.rdPeer, path: loc, query: q })).codeText).toBe('4.00');
    }
    expect((await net.rd.store.get('4521'))?.ep).toBe('e1');
  });

  it('lookups: page without count, bad numbers and a non-link-format Accept', async () => {
    const n = net.node('n');
    const get = (query: string, accept?: number) =>
      n.endpoint.request({
        method: 'GET',
        peer: n.rdPeer,
        path: '/rd-lookup/res',
        query,
        ...(accept ? { accept } : {}),
      });
    expect((await get('page=1')).codeText).toBe('4.00');
    expect((await get('count=-1')).codeText).toBe('4.00');
    expect((await get('count=abc')).codeText).toBe('4.00');
    expect((await get('', 50)).codeText).toBe('4.06');
    expect((await get('count=0')).codeText).toBe('2.05');
  });
});
