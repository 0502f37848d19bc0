import { CoapCode, decodeUdp, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { createDtlsServer, type DtlsTransport } from '../src/index';
import { pskLookup } from './helpers';
import { havePeer, PeerProcess } from './peer-process';

const hasLibcoap = havePeer('coap-client-openssl');
const open: DtlsTransport[] = [];
const peers: PeerProcess[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.stop();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

describe.skipIf(!hasLibcoap)('interop with libcoap coap-client-openssl', () => {
  it('GET coaps:// over PSK with TLS_PSK_WITH_AES_128_CCM_8, answered with a hand-built CoAP response', async () => {
    const server = await createDtlsServer({
      host: '127.0.0.1',
      port: 25720,
      psk: pskLookup,
      cipherSuites: ['TLS_PSK_WITH_AES_128_CCM_8'],
    });
    open.push(server);
    const requests: { path: string; identity: unknown }[] = [];
    server.onReceive((frame, peer) => {
      const req = decodeUdp(frame);
      if (req.code !== CoapCode.GET) return;
      const path = req.options.filter((o) => o.number === 11).map((o) => Buffer.from(o.value).toString());
      requests.push({ path: path.join('/'), identity: peer.identity });
      const res = encodeUdp({
        type: req.type === MessageType.CON ? MessageType.ACK : MessageType.NON,
        code: 0x45,
        messageId: req.messageId,
        token: req.token,
        options: [],
        payload: Buffer.from('hello from lwm2m-ts'),
      });
      void server.send(peer, res);
    });
    const client = new PeerProcess('coap-client-openssl', [
      '-B',
      '5',
      '-u',
      'CoAP',
      '-k',
      'secretPSK',
      'coaps://127.0.0.1:25720/x',
    ]);
    peers.push(client);
    await client.waitFor(/hello from lwm2m-ts/);
    expect(requests).toEqual([{ path: 'x', identity: { kind: 'psk', identity: 'CoAP' } }]);
  });
});
