import { createServer } from 'node:http';
import { Endpoint, type Peer } from '@lwm2m-ts/coap';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBrowserWsTransport } from './browser';
import { createWsTransport } from './ws-transport';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('the CoAP engine over WebSockets (RFC 8323 §4)', () => {
  it('serves requests, Block2 bodies and observe on an HTTP server shared with an API', async () => {
    const http = createServer((_req, res) => res.end('{"api":true}'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    );
    const port = (http.address() as { port: number }).port;
    const server = new Endpoint({ transport: await createWsTransport({ server: http }) });
    closers.push(() => server.close());
    let n = 0;
    server.router
      .get('/count', () => ({ payload: String(n) }), { observable: true })
      .get('/large', () => ({ payload: 'W'.repeat(4000) }))
      .put('/echo', (req) => ({ payload: `got ${req.payload.length}` }));

    const client = new Endpoint({ transport: await createWsTransport({}) });
    closers.push(() => client.close());
    const base = `coap+ws://127.0.0.1:${port}`;
    expect((await client.request({ method: 'GET', uri: `${base}/large` })).text()).toBe('W'.repeat(4000));
    expect((await client.request({ method: 'PUT', uri: `${base}/echo`, payload: 'x'.repeat(3000) })).text()).toBe(
      'got 3000',
    );

    const obs = client.observe({ uri: `${base}/count` });
    const seen: string[] = [];
    for await (const note of obs) {
      seen.push(note.text());
      if (seen.length === 3) break;
      n++;
      server.notify('/count');
    }
    await obs.cancel();
    expect(seen).toEqual(['0', '1', '2']);
  });

  it('lets a browser-style transport act as a CoAP client and server on one connection', async () => {
    const serverTransport = await createWsTransport({ host: '127.0.0.1', port: 0 });
    const server = new Endpoint({ transport: serverTransport });
    closers.push(() => server.close());
    const tab = new Endpoint({
      transport: createBrowserWsTransport({
        url: `ws://127.0.0.1:${serverTransport.localAddress()!.port}`,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      }),
    });
    closers.push(() => tab.close());
    tab.router.get('/3/0/0', () => ({ payload: 'browser device' }));
    let tabPeer: Peer | undefined;
    server.router.post('/rd', (req) => {
      tabPeer = req.peer;
      return { code: 0x41, locationPath: ['rd', '1'] };
    });
    const reg = await tab.request({ method: 'POST', uri: 'coap+ws://127.0.0.1/rd', payload: '</3/0>' });
    expect(reg.codeText).toBe('2.01');
    // The server reaches the tab back over the connection the tab opened.
    const read = await server.request({ method: 'GET', peer: tabPeer!, path: '/3/0/0' });
    expect(read.text()).toBe('browser device');
  });
});
