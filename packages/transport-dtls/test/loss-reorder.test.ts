import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { nextFrame, PSK, pskLookup } from './helpers';
import { UdpProxy } from './udp-proxy';

const open: DtlsTransport[] = [];
const proxies: UdpProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function viaProxy(server: DtlsTransport) {
  const proxy = await UdpProxy.start(server.localAddress()!.port);
  proxies.push(proxy);
  return { proxy, target: { address: '127.0.0.1', port: proxy.port, key: `127.0.0.1|${proxy.port}` } };
}

describe('retransmission and reordering', () => {
  it("recovers when the server's final flight (CCS + Finished) is lost: the client's retransmission triggers it again", async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
    const client = await createDtlsClient({
      host: '127.0.0.1',
      psk: { identity: 'CoAP', key: PSK },
      retransmitInitialMs: 100,
    });
    open.push(server, client);
    const { proxy, target } = await viaProxy(server);
    let lost = 0;
    proxy.dropToClient = (d) => d[0] === 20 && lost++ === 0;
    const got = nextFrame(server);
    await client.send(target, Buffer.from('after loss'));
    expect((await got).frame.toString()).toBe('after loss');
    expect(lost).toBe(2); // the lost flight and its retransmission
  });

  it('reassembles a fragmented client flight delivered in reverse order without waiting for a retransmission', async () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const k2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = (k: typeof k1) => k.publicKey.export({ type: 'spki', format: 'der' });
    const server = await createDtlsServer({
      host: '127.0.0.1',
      retransmitInitialMs: 10_000,
      rpk: { privateKey: k1.privateKey, trusted: [spki(k2)] },
    });
    // 10 s retransmission timers on both sides: the handshake must finish on the reordered datagrams alone.
    const client = await createDtlsClient({
      host: '127.0.0.1',
      mtu: 90,
      retransmitInitialMs: 10_000,
      rpk: { privateKey: k2.privateKey, trusted: [spki(k1)] },
    });
    open.push(server, client);
    const { proxy, target } = await viaProxy(server);
    // Flight 5 = Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished over several datagrams.
    let seenFlight5 = false;
    proxy.dropFromClient = (d) => {
      if (!seenFlight5 && d[0] === 22 && d[13] === 11) {
        seenFlight5 = true;
        proxy.reverseFromClientFor(100);
      }
      return false;
    };
    const started = Date.now();
    const got = nextFrame(server);
    await client.send(target, Buffer.from('reordered'));
    expect((await got).frame.toString()).toBe('reordered');
    expect(seenFlight5).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
