import { Endpoint } from '@lwm2m-ts/coap';
import { afterEach, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer } from '../src/index';
import { PSK, pskLookup } from './helpers';
import { UdpProxy } from './udp-proxy';

const endpoints: Endpoint[] = [];
const proxies: UdpProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

describe('CoAP Endpoint over DTLS', () => {
  it('serves requests both ways on one session, with the PSK identity on the request, across a CID address change', async () => {
    const serverTransport = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
    const server = new Endpoint({ transport: serverTransport });
    const clientTransport = await createDtlsClient({
      host: '127.0.0.1',
      psk: { identity: 'CoAP', key: PSK },
      cid: true,
    });
    const client = new Endpoint({ transport: clientTransport });
    endpoints.push(server, client);
    const seen: string[] = [];
    server.router.add('/rd', {
      post: (req) => {
        seen.push(
          `${req.peer.identity?.kind}:${req.peer.identity && 'identity' in req.peer.identity ? req.peer.identity.identity : ''}`,
        );
        return { code: 0x41, locationPath: ['rd', 'x1'] };
      },
    });
    client.router.add('/3/0/0', { get: () => ({ payload: 'lwm2m-ts device' }) });
    const proxy = await UdpProxy.start(serverTransport.localAddress()!.port);
    proxies.push(proxy);

    const reg = await client.request({ method: 'POST', uri: `coaps://127.0.0.1:${proxy.port}/rd?ep=dev1` });
    expect(reg.code).toBe(0x41);
    expect(seen).toEqual(['psk:CoAP']);

    // The server talks back to the device on the same DTLS session (LwM2M Read).
    const [devicePeer] = await new Promise<[import('@lwm2m-ts/coap').Peer]>((resolve) => {
      server.router.add('/rd/x1', { post: (req) => void resolve([req.peer]) });
      void client.request({ method: 'POST', uri: `coaps://127.0.0.1:${proxy.port}/rd/x1` });
    });
    const read = await server.request({ method: 'GET', peer: devicePeer, path: '/3/0/0' });
    expect(read.text()).toBe('lwm2m-ts device');

    // NAT rebinding: same session (CID), the server reaches the device at its new address with the same Peer key.
    const moved: string[] = [];
    serverTransport.onPeerAddressChanged((peer) => moved.push(peer.key));
    proxy.rebind();
    const update = await client
      .request({ method: 'POST', uri: `coaps://127.0.0.1:${proxy.port}/rd/x1` })
      .catch((e) => e);
    expect(update.code).toBe(0x44);
    expect(moved).toEqual([devicePeer.key]);
    const again = await server.request({ method: 'GET', peer: devicePeer, path: '/3/0/0' });
    expect(again.text()).toBe('lwm2m-ts device');
  });
});
