import { makePeer } from '@lwm2m-ts/coap';
import { parseLinkFormat } from '@lwm2m-ts/codec';
import { parseRegistrationParameters, ResourceDirectory } from '@lwm2m-ts/rd';
import { afterEach, describe, expect, it } from 'vitest';
import { type StatusPage, startStatusPage } from './status-page';

describe('status page', () => {
  let page: StatusPage | undefined;
  let rd: ResourceDirectory | undefined;
  afterEach(async () => {
    await page?.close();
    rd?.close();
  });

  it('lists registrations as JSON and escaped HTML; only GET', async () => {
    rd = new ResourceDirectory();
    const source = { peer: makePeer('127.0.0.1', 40000), sourceBase: 'coap://127.0.0.1:40000' };
    await rd.register(
      parseRegistrationParameters(['ep=<script>x</script>', 'd=lab', 'lt=60', 'et=sensor']),
      parseLinkFormat('</t>;rt="temp"'),
      source,
    );
    page = await startStatusPage(rd, { host: '127.0.0.1', port: 0, coapUri: 'coap://127.0.0.1:5683' });
    const base = `http://127.0.0.1:${page.port}`;
    const json = (await (await fetch(`${base}/registrations`)).json()) as { count: number; registrations: unknown[] };
    expect(json).toEqual({
      count: 1,
      registrations: [
        {
          location: expect.stringMatching(/^\/rd\/[0-9a-f]{8}$/),
          ep: '<script>x</script>',
          d: 'lab',
          base: 'coap://127.0.0.1:40000',
          lt: 60,
          expiresInS: 60,
          attributes: { et: 'sensor' },
          links: '</t>;rt="temp"',
        },
      ],
    });
    const html = await (await fetch(`${base}/`)).text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;x&#60;/script&#62;');
    expect((await fetch(`${base}/registrations`, { method: 'POST' })).status).toBe(405);
  });
});
