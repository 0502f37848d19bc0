import { createServer } from 'node:http';
import type { Peer } from '@lwm2m-ts/coap';
import { CoapCode, createMessage, decodeReliable, encodeReliable } from '@lwm2m-ts/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBrowserWsTransport } from './browser';
import { createWsTransport, type WsTransport } from './ws-transport';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
const make = async (options: Parameters<typeof createWsTransport>[0]) => {
  const t = await createWsTransport(options);
  closers.push(() => t.close());
  return t;
};
const msg = (tokenByte: number, payload: string) =>
  encodeReliable(
    createMessage({
      code: CoapCode.POST,
      token: new Uint8Array([tokenByte]),
      payload: new TextEncoder().encode(payload),
    }),
    'ws',
  );
const text = (frame: Uint8Array) => new TextDecoder().decode(decodeReliable(frame, 'ws').payload);
const nextFrame = (t: { onReceive: WsTransport['onReceive'] }) =>
  new Promise<{ frame: Uint8Array; peer: Peer }>((resolve) => t.onReceive((frame, peer) => resolve({ frame, peer })));

describe('createWsTransport', () => {
  it('carries CoAP messages both ways over /.well-known/coap with the coap subprotocol', async () => {
    const server = await make({ host: '127.0.0.1', port: 0 });
    const client = await make({});
    expect(server.framing).toBe('websocket');
    expect(server.scheme).toBe('coap+ws');
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const atServer = nextFrame(server);
    await client.send(peer, msg(1, 'up'));
    const got = await atServer;
    expect(text(got.frame)).toBe('up');
    const atClient = nextFrame(client);
    await server.send(got.peer, msg(2, 'down'));
    expect(text((await atClient).frame)).toBe('down');
    expect(server.connectionCount).toBe(1);
  });

  it('shares an existing HTTP server and leaves other paths to it', async () => {
    const http = createServer((_req, res) => res.end('api'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    );
    const port = (http.address() as { port: number }).port;
    const server = await make({
      server: http,
      identify: (req) => ({ kind: 'psk', identity: (req.headers['x-device'] as string) ?? 'anon' }),
    });
    const client = await make({});
    const atServer = nextFrame(server);
    await client.send(await client.resolvePeer('127.0.0.1', port), msg(1, 'via http'));
    const got = await atServer;
    expect(text(got.frame)).toBe('via http');
    expect(got.peer.identity).toEqual({ kind: 'psk', identity: 'anon' });
    expect(await (await fetch(`http://127.0.0.1:${port}/api`)).text()).toBe('api');
  });

  it('refuses a WebSocket without the coap subprotocol', async () => {
    const server = await make({ host: '127.0.0.1', port: 0 });
    const ws = new WebSocket(`ws://127.0.0.1:${server.localAddress()!.port}/.well-known/coap`);
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', (err) => resolve(`error: ${err.message}`));
    });
    expect(outcome).toMatch(/^error/);
    expect(server.connectionCount).toBe(0);
  });

  it('closes a connection that sends a message beyond the size limit and reports the peer closed', async () => {
    const server = await make({ host: '127.0.0.1', port: 0, maxMessageSize: 128 });
    const client = await make({});
    const peer = await client.resolvePeer('127.0.0.1', server.localAddress()!.port);
    const clientSaw = new Promise<Peer>((resolve) => client.onPeerClosed?.((p) => resolve(p)));
    await client.send(peer, msg(1, 'x'.repeat(1000))).catch(() => {});
    expect((await clientSaw).key).toBe(peer.key);
  });

  it('works as a browser-style client transport given a WebSocket constructor', async () => {
    const server = await make({ host: '127.0.0.1', port: 0 });
    const browser = createBrowserWsTransport({
      url: `ws://127.0.0.1:${server.localAddress()!.port}`,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    closers.push(() => browser.close());
    const peer = await browser.resolvePeer!('ignored', 0);
    const atServer = nextFrame(server);
    await browser.send(peer, msg(7, 'from a tab'));
    const got = await atServer;
    expect(text(got.frame)).toBe('from a tab');
    const atBrowser = nextFrame(browser);
    await server.send(got.peer, msg(8, 'to the tab'));
    expect(text((await atBrowser).frame)).toBe('to the tab');
  });
});
