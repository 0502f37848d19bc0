import type { CoapResponse } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat, decodeSenmlCbor, decodeSenmlJson } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor, isMultipleContent, SendError, SimpleInstance } from '../src/index';
import { type Setup, settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const json = (text: string) => new TextEncoder().encode(text);

function home() {
  const lights = [0, 1, 2].map(() => new SimpleInstance({ values: { 5850: true, 5851: 100 } }));
  const thermostat = new SimpleInstance({ values: { 5900: 21 } });
  const timerTriggers: number[] = [];
  const timer = new SimpleInstance({
    values: { 5521: 5, 5525: 0, 5850: true },
    execute: { 5523: () => void timerTriggers.push(1) },
  });
  return { lights, thermostat, timer, timerTriggers };
}

async function homeSetup(): Promise<Setup & ReturnType<typeof home>> {
  const h = home();
  const s = setup([
    { id: 3311, instances: { 0: h.lights[0]!, 1: h.lights[1]!, 2: h.lights[2]! } },
    { id: 3308, instances: { 0: h.thermostat } },
    { id: 3340, instances: { 0: h.timer } },
  ]);
  await started(s);
  return { ...s, ...h };
}

const ipatch = (s: Setup, payload: string, contentFormat: number = ContentFormat.SENML_JSON) =>
  s.server.endpoint.request({ method: 'IPATCH', peer: s.clientPeer, path: '/', payload: json(payload), contentFormat });

describe('Write-Composite (iPATCH /)', () => {
  it('seed example: switch off two lights, dim the third to 20 %, thermostat to 18', async () => {
    const s = await homeSetup();
    const res = await ipatch(
      s,
      '[{"n":"/3311/0/5850", "vb":false},{"n":"/3311/1/5850", "vb":false},{"n":"/3311/2/5851", "v":20},{"n":"/3308/0/5900", "v":18}]',
    );
    expect(res.code).toBe(CoapCode.CHANGED);
    expect(s.lights.map((l) => l.value(5850))).toEqual([false, false, true]);
    expect(s.lights[2]!.value(5851)).toBe(20);
    expect(s.thermostat.value(5900)).toBe(18);
  });

  it('seed example: the timer configuration as printed is refused whole (5523 is executable, /3311/0/5525 unknown)', async () => {
    const s = await homeSetup();
    const res = await ipatch(
      s,
      '[{"n":"/3340/0/5521", "v":23},{"n":"/3340/0/5523", "vs":""},{"n":"/3311/0/5525", "v":20}]',
    );
    expect(res.code).toBe(CoapCode.METHOD_NOT_ALLOWED);
    expect(s.timer.value(5521)).toBe(5); // nothing written
    // The intended configuration: write the delays, then Execute the trigger.
    expect((await ipatch(s, '[{"n":"/3340/0/5521","v":23},{"n":"/3340/0/5525","v":20}]')).code).toBe(CoapCode.CHANGED);
    expect([s.timer.value(5521), s.timer.value(5525)]).toEqual([23, 20]);
    const trigger = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/3340/0/5523' });
    expect(trigger.code).toBe(CoapCode.CHANGED);
    expect(s.timerTriggers).toHaveLength(1);
  });

  it('refuses the whole request when one value is bad; 4.15 for a format without composite', async () => {
    const s = await homeSetup();
    const res = await ipatch(s, '[{"n":"/3308/0/5900","v":10},{"n":"/3311/0/5850","vs":"on"}]');
    expect(res.code).toBe(CoapCode.BAD_REQUEST);
    expect(s.thermostat.value(5900)).toBe(21);
    expect((await ipatch(s, '[{"n":"/3308/9/5900","v":10}]')).code).toBe(CoapCode.NOT_FOUND);
    expect((await ipatch(s, '[{"n":"/3308/0/5900","v":10}]', ContentFormat.LWM2M_TLV)).code).toBe(
      CoapCode.UNSUPPORTED_CONTENT_FORMAT,
    );
    expect((await ipatch(s, 'not json')).code).toBe(CoapCode.BAD_REQUEST);
  });
});

describe('Read-Composite and Observe-Composite (FETCH /)', () => {
  it('reads several paths in one SenML answer, leaving out paths that do not exist', async () => {
    const s = await homeSetup();
    const res = await s.server.endpoint.request({
      method: 'FETCH',
      peer: s.clientPeer,
      path: '/',
      contentFormat: ContentFormat.SENML_JSON,
      payload: json('[{"n":"/3311/1/5850"},{"n":"/3308/0"},{"n":"/3311/7"}]'),
    });
    expect(res.code).toBe(CoapCode.CONTENT);
    expect(res.contentFormat).toBe(ContentFormat.SENML_JSON);
    expect(decodeSenmlJson(res.payload)).toEqual([
      { n: '/3311/1/5850', vb: true },
      { n: '/3308/0/5900', v: 21 },
    ]);
    const cbor = await s.server.endpoint.request({
      method: 'FETCH',
      peer: s.clientPeer,
      path: '/',
      contentFormat: ContentFormat.SENML_JSON,
      accept: ContentFormat.SENML_CBOR,
      payload: json('[{"n":"/3308/0/5900"}]'),
    });
    expect(decodeSenmlCbor(cbor.payload)).toEqual([{ n: '/3308/0/5900', v: 21 }]);
  });

  it('notifies an Observe-Composite when any of its paths changes', async () => {
    const s = await homeSetup();
    const texts: string[] = [];
    const obs = s.server.endpoint.observe({
      method: 'FETCH',
      peer: s.clientPeer,
      path: '/',
      contentFormat: ContentFormat.SENML_JSON,
      payload: json('[{"n":"/3311/0/5850"},{"n":"/3308/0/5900"}]'),
    });
    void (async () => {
      for await (const n of obs as AsyncIterable<CoapResponse>) texts.push(n.text());
    })();
    await settle();
    expect(texts).toEqual(['[{"n":"/3311/0/5850","vb":true},{"n":"/3308/0/5900","v":21}]']);
    s.thermostat.set(5900, 19);
    await settle();
    expect(texts[1]).toBe('[{"n":"/3311/0/5850","vb":true},{"n":"/3308/0/5900","v":19}]');
    s.lights[1]!.set(5850, false); // not observed
    await settle();
    expect(texts).toHaveLength(2);
  });
});

describe('Send (POST /dp)', () => {
  it('sends single and multiple paths as SenML CBOR', async () => {
    const sensor = ipsoSensor({ value: 22.5, units: 'Cel' });
    const s = setup([{ id: 3303, instances: { 0: sensor } }]);
    await started(s);
    const one = s.client.send(['/3303/0/5700']);
    await settle();
    await one;
    const [dp] = s.server.of('POST', '/dp');
    expect(dp!.contentFormat).toBe(ContentFormat.SENML_CBOR);
    expect(decodeSenmlCbor(dp!.bytes)).toEqual([{ n: '/3303/0/5700', v: 22.5 }]);
    const many = s.client.send(['/3303/0/5700', '/3/0/0'], { contentFormat: ContentFormat.SENML_JSON });
    await settle();
    await many;
    expect(JSON.parse(s.server.of('POST', '/dp')[1]!.payload)).toEqual([
      { n: '/3303/0/5700', v: 22.5 },
      { n: '/3/0/0', vs: 'Open Mobile Alliance' },
    ]);
  });

  it('honours Mute Send (/1/x/23) and refuses on LwM2M 1.0', async () => {
    const s = setup([], { server: { muteSend: true } });
    await started(s);
    await expect(s.client.send(['/3/0/0'])).rejects.toBeInstanceOf(SendError);
    expect(s.server.of('POST', '/dp')).toHaveLength(0);
    // The server unmutes: Send works.
    const res = await s.server.endpoint.request({
      method: 'PUT',
      peer: s.clientPeer,
      path: '/1/0/23',
      payload: '0',
      contentFormat: ContentFormat.TEXT_PLAIN,
    });
    expect(res.code).toBe(CoapCode.CHANGED);
    await settle();
    const sent = s.client.send(['/3/0/0']);
    await settle();
    await sent;
    expect(s.server.of('POST', '/dp')).toHaveLength(1);
    const old = setup([], { lwm2mVersion: '1.0' });
    await started(old);
    await expect(old.client.send(['/3/0/0'])).rejects.toThrow(/1.1/);
  });
});

describe('IPSO sensor helper', () => {
  it('tracks min/max and resets them with Execute 5605', async () => {
    const sensor = ipsoSensor({ value: 20, units: 'Cel' });
    const s = setup([{ id: 3303, instances: { 0: sensor } }]);
    await started(s);
    for (const v of [18, 25, 22]) sensor.update(v);
    expect([sensor.value(5601), sensor.value(5602)]).toEqual([18, 25]);
    const res = await s.server.endpoint.request({ method: 'POST', peer: s.clientPeer, path: '/3303/0/5605' });
    expect(res.code).toBe(CoapCode.CHANGED);
    expect([sensor.value(5601), sensor.value(5602)]).toEqual([22, 22]);
    expect(() => sensor.update(Number.NaN)).toThrow(RangeError);
  });
});

describe('opaque resources', () => {
  it('accepts a firmware package (PUT /5/0/0, block-wise) and reads opaque values as octet-stream', async () => {
    let received: Uint8Array | undefined;
    const firmware = new SimpleInstance({
      values: { 3: 0, 5: 0 },
      onWrite: (id, content) => {
        if (id === 0 && !isMultipleContent(content)) received = content.value as Uint8Array;
      },
    });
    const location = new SimpleInstance({ values: { 0: 0, 1: 0, 4: new Uint8Array([1, 2, 3]), 5: 0 } });
    const s = setup([
      { id: 5, instances: { 0: firmware } },
      { id: 6, instances: { 0: location } },
    ]);
    await started(s);
    const image = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
    const put = s.server.endpoint.request({
      method: 'PUT',
      peer: s.clientPeer,
      path: '/5/0/0',
      payload: image,
      contentFormat: ContentFormat.OCTET_STREAM,
      block1Size: 512,
    });
    await settle(20);
    expect((await put).code).toBe(CoapCode.CHANGED);
    expect(received).toEqual(image);
    const velocity = await s.server.endpoint.request({ method: 'GET', peer: s.clientPeer, path: '/6/0/4' });
    expect(velocity.contentFormat).toBe(ContentFormat.OCTET_STREAM);
    expect([...velocity.payload]).toEqual([1, 2, 3]);
    const asText = await s.server.endpoint.request({
      method: 'GET',
      peer: s.clientPeer,
      path: '/6/0/4',
      accept: ContentFormat.TEXT_PLAIN,
    });
    expect(asText.text()).toBe('AQID'); // base64
    expect((await s.server.endpoint.request({ method: 'GET', peer: s.clientPeer, path: '/5/0/0' })).code).toBe(
      CoapCode.METHOD_NOT_ALLOWED,
    ); // write-only
  });
});
