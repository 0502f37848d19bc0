import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { nextFrame, PSK, pskLookup, serverPeer } from './helpers';
import { UdpProxy } from './udp-proxy';

const open: DtlsTransport[] = [];
const proxies: UdpProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) p.close();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const ecKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
};

async function roundTrip(server: DtlsTransport, client: DtlsTransport, target = serverPeer(server)) {
  const got = nextFrame(server);
  await client.send(target, Buffer.from('up'));
  const up = await got;
  expect(up.frame.toString()).toBe('up');
  const back = nextFrame(client);
  await server.send(up.peer, Buffer.from('down'));
  const down = await back;
  expect(down.frame.toString()).toBe('down');
  return { serverSide: up.peer, clientSide: down.peer };
}

describe('raw public keys (RFC 7250)', () => {
  it('authenticates both sides with ECDHE_ECDSA and exposes the client key as identity', async () => {
    const s = ecKey();
    const c = ecKey();
    const server = await createDtlsServer({ host: '127.0.0.1', rpk: { privateKey: s.privateKey, trusted: [c.spki] } });
    const client = await createDtlsClient({ host: '127.0.0.1', rpk: { privateKey: c.privateKey, trusted: [s.spki] } });
    open.push(server, client);
    const { serverSide, clientSide } = await roundTrip(server, client);
    expect(serverSide.identity).toEqual({ kind: 'rpk', publicKey: c.spki });
    expect(clientSide.identity).toEqual({ kind: 'rpk', publicKey: s.spki });
  });

  it('rejects a client whose key the server does not trust', async () => {
    const s = ecKey();
    const c = ecKey();
    const server = await createDtlsServer({
      host: '127.0.0.1',
      rpk: { privateKey: s.privateKey, trusted: [ecKey().spki] },
    });
    const client = await createDtlsClient({ host: '127.0.0.1', rpk: { privateKey: c.privateKey, trusted: [s.spki] } });
    open.push(server, client);
    await expect(client.send(serverPeer(server), Buffer.from('x'))).rejects.toThrow(/bad_?certificate|badCertificate/);
    expect(server.stats()).toMatchObject({ sessions: 0, handshakes: 0 });
  });

  it('rejects a server whose key the client does not trust', async () => {
    const s = ecKey();
    const c = ecKey();
    const server = await createDtlsServer({ host: '127.0.0.1', rpk: { privateKey: s.privateKey, trusted: [c.spki] } });
    const client = await createDtlsClient({
      host: '127.0.0.1',
      rpk: { privateKey: c.privateKey, trusted: [ecKey().spki] },
    });
    open.push(server, client);
    await expect(client.send(serverPeer(server), Buffer.from('x'))).rejects.toThrow(/untrusted raw public key/);
  });
});

describe('Connection ID (RFC 9146)', () => {
  it('keeps the session across a client address change and reports the new address', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, cid: 4 });
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK }, cid: true });
    open.push(server, client);
    const proxy = await UdpProxy.start(server.localAddress()!.port);
    proxies.push(proxy);
    const target = { address: '127.0.0.1', port: proxy.port, key: `127.0.0.1|${proxy.port}` };
    const first = await roundTrip(server, client, target);
    expect(first.serverSide.key).toMatch(/^dtls-cid:[0-9a-f]{8}$/);
    // Records from the client carry the server's 4-byte CID in a tls12_cid (25) record.
    const last = proxy.fromClient[proxy.fromClient.length - 1]!;
    expect(last[0]).toBe(25);
    expect(last.subarray(11, 15).toString('hex')).toBe(first.serverSide.key.slice(9));

    const changes: { peer: unknown; previous: unknown }[] = [];
    server.onPeerAddressChanged((peer, previous) => changes.push({ peer, previous }));
    proxy.rebind();
    const second = await roundTrip(server, client, target);
    expect(second.serverSide.key).toBe(first.serverSide.key);
    expect(second.serverSide.port).not.toBe(first.serverSide.port);
    expect(second.serverSide.identity).toEqual({ kind: 'psk', identity: 'CoAP' });
    expect(changes).toEqual([
      { peer: second.serverSide, previous: { address: '127.0.0.1', port: first.serverSide.port } },
    ]);
    expect(server.stats()).toMatchObject({ sessions: 1, handshakes: 0 });
  });

  it('uses CIDs in both directions when the client issues one too; the client keeps address|port keys', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, cid: 5 });
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK }, cid: 3 });
    open.push(server, client);
    const proxy = await UdpProxy.start(server.localAddress()!.port);
    proxies.push(proxy);
    const target = { address: '127.0.0.1', port: proxy.port, key: `127.0.0.1|${proxy.port}` };
    const { serverSide, clientSide } = await roundTrip(server, client, target);
    expect(clientSide.key).toBe(target.key);
    expect(serverSide.key).toMatch(/^dtls-cid:[0-9a-f]{10}$/);
    const down = proxy.toClient[proxy.toClient.length - 1]!;
    expect(down[0]).toBe(25);
    expect(down.readUInt16BE(11 + 3)).toBe(down.length - 16); // 3-byte CID, then the length
    const up = proxy.fromClient[proxy.fromClient.length - 1]!;
    expect(up.readUInt16BE(11 + 5)).toBe(up.length - 18); // 5-byte CID
  });

  it('without CID an address change is a new, unknown peer', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, cid: false });
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK }, cid: true });
    open.push(server, client);
    const proxy = await UdpProxy.start(server.localAddress()!.port);
    proxies.push(proxy);
    const target = { address: '127.0.0.1', port: proxy.port, key: `127.0.0.1|${proxy.port}` };
    const first = await roundTrip(server, client, target);
    expect(first.serverSide.key).toBe(`127.0.0.1|${first.serverSide.port}`);
    expect(proxy.fromClient[proxy.fromClient.length - 1]![0]).toBe(23);
    proxy.rebind();
    let received = 0;
    server.onReceive(() => received++);
    await client.send(target, Buffer.from('lost'));
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toBe(0);
  });
});

describe('session resumption', () => {
  it('resumes with an abbreviated handshake after the client drops its connection', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK } });
    open.push(server, client);
    const proxy = await UdpProxy.start(server.localAddress()!.port);
    proxies.push(proxy);
    const target = { address: '127.0.0.1', port: proxy.port, key: `127.0.0.1|${proxy.port}` };
    await roundTrip(server, client, target);
    const fullHandshakeDatagrams = proxy.fromClient.length;
    client.disconnect(target);
    proxy.fromClient.length = 0;
    const resumed = await roundTrip(server, client, target);
    expect(resumed.serverSide.identity).toEqual({ kind: 'psk', identity: 'CoAP' });
    // Abbreviated: ClientHello, ClientHello+cookie, CCS+Finished, data (no ClientKeyExchange flight).
    const handshakeTypes = proxy.fromClient.filter((d) => d[0] === 22 && d.readUInt16BE(3) === 0).map((d) => d[13]);
    expect(handshakeTypes).toEqual([1, 1]);
    expect(fullHandshakeDatagrams).toBeGreaterThan(proxy.fromClient.filter((d) => d[0] !== 21).length - 1);
    expect(server.stats().sessions).toBe(1);
  });

  it('a client that silently lost its session (no close_notify) reconnects from the same address', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK } });
    open.push(server, client);
    await roundTrip(server, client);
    client.disconnect(serverPeer(server), { notify: false });
    client.forgetSession('127.0.0.1', server.localAddress()!.port);
    await roundTrip(server, client);
    expect(server.stats()).toMatchObject({ sessions: 1, handshakes: 0 });
  });
});
