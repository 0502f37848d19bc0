/** Random requests never crash the client (no 5.xx) and never leave invalid values behind. */
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipsoSensor, SimpleInstance } from '../src/index';
import { settle, setup, started } from './fake-server';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('fuzzed requests', () => {
  it('answer 2.xx or 4.xx, and keep values typed per the model', async () => {
    const thermostat = new SimpleInstance({ values: { 5900: 20 } });
    const s = setup([
      { id: 3303, instances: { 0: ipsoSensor({ value: 1 }) } },
      { id: 3308, instances: { 0: thermostat } },
    ]);
    await started(s);
    const method = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'FETCH', 'IPATCH');
    const path = fc.constantFrom(
      '/',
      '/3',
      '/3/0',
      '/3/0/13',
      '/3308/0',
      '/3308/0/5900',
      '/3303/0/5605',
      '/1/0/1',
      '/x',
      '/3/0/11/0',
    );
    const format = fc.constantFrom(
      undefined,
      ContentFormat.TEXT_PLAIN,
      ContentFormat.LWM2M_TLV,
      ContentFormat.SENML_JSON,
      ContentFormat.SENML_CBOR,
      ContentFormat.LWM2M_CBOR,
      ContentFormat.OCTET_STREAM,
      ContentFormat.JSON,
    );
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .constantFrom('[{"n":"/3308/0/5900","v":"x"}]', '[{"bn":"/3308/0/5900","vb":true}]', '-1e999', "0='a'")
        .map((t) => new TextEncoder().encode(t)),
    );
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        format,
        payload,
        fc.option(format, { nil: undefined }),
        async (m, p, cf, body, accept) => {
          const pending = s.server.endpoint.request({
            method: m as 'GET',
            peer: s.clientPeer,
            path: p,
            payload: body,
            ...(cf !== undefined ? { contentFormat: cf } : {}),
            ...(accept !== undefined ? { accept } : {}),
          });
          await settle(2);
          const res = await pending;
          expect(res.code >> 5, `${m} ${p} cf=${cf} -> ${res.codeText} ${res.text()}`).toBeLessThan(5);
          if (res.code === CoapCode.INTERNAL_SERVER_ERROR) throw new Error('5.00');
          const sp = thermostat.get(5900);
          expect(sp === undefined || (sp as { type: string }).type === 'float').toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
