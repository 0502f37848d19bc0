import { afterEach, describe, expect, it } from 'vitest';
import { createDtlsClient, createDtlsServer, type DtlsTransport } from '../src/index';
import { nextFrame, PSK, pskLookup, serverPeer } from './helpers';
import { RawSocket, sleep } from './raw-client';
import { UdpProxy } from './udp-proxy';

const open: DtlsTransport[] = [];
const closeables: { close(): void }[] = [];
afterEach(async () => {
  for (const c of closeables.splice(0)) c.close();
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** Small deterministic PRNG so a failure reproduces. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

describe('mutated handshake traffic', () => {
  it('survives 1500 mutated copies of a real handshake and keeps serving', async () => {
    // Record a genuine client's datagrams (both flights, CCS, Finished, data).
    const recorder = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, cid: 4 });
    const recClient = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK }, cid: true });
    open.push(recorder, recClient);
    const proxy = await UdpProxy.start(recorder.localAddress()!.port);
    closeables.push(proxy);
    await recClient.send({ address: '127.0.0.1', port: proxy.port, key: 'p' }, Buffer.from('seed'));
    await sleep(30);
    const corpus = [...proxy.fromClient, ...proxy.toClient];
    expect(corpus.length).toBeGreaterThan(5);

    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup, cid: 4 });
    open.push(server);
    const port = server.localAddress()!.port;
    const rand = prng(0xd715);
    const raws = await Promise.all(Array.from({ length: 3 }, () => RawSocket.open()));
    closeables.push(...raws);
    for (let i = 0; i < 1500; i++) {
      const src = corpus[rand(corpus.length)]!;
      const d = Buffer.from(src);
      const edits = 1 + rand(4);
      for (let e = 0; e < edits; e++) {
        const op = rand(3);
        if (op === 0) d[rand(d.length)] = rand(256);
        else if (op === 1) d[rand(d.length)]! ^= 1 << rand(8);
        else d.writeUInt16BE(rand(0x10000), rand(Math.max(1, d.length - 1)));
      }
      const cut = rand(4) === 0 ? d.subarray(0, rand(d.length + 1)) : d;
      await raws[rand(raws.length)]!.send(cut, port);
      if (i % 100 === 99) await sleep(5);
    }
    await sleep(100);
    expect(server.stats().sessions).toBe(0);
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK } });
    open.push(client);
    const got = nextFrame(server);
    await client.send(serverPeer(server), Buffer.from('alive'));
    expect((await got).frame.toString()).toBe('alive');
  });

  it('live handshakes with corrupted datagrams either complete or fail cleanly, leaving no state behind', async () => {
    const server = await createDtlsServer({
      host: '127.0.0.1',
      psk: pskLookup,
      cid: 4,
      limits: { handshakeTimeoutMs: 800 },
    });
    open.push(server);
    const rand = prng(0xbeef);
    let completed = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const proxy = await UdpProxy.start(server.localAddress()!.port);
        closeables.push(proxy);
        proxy.dropFromClient = (d) => {
          if (rand(3) === 0) d[rand(d.length)]! ^= 1 << rand(8); // corrupt in place, still forwarded
          return false;
        };
        const client = await createDtlsClient({
          host: '127.0.0.1',
          psk: { identity: 'CoAP', key: PSK },
          cid: true,
          retransmitInitialMs: 50,
          limits: { handshakeTimeoutMs: 800 },
        });
        open.push(client);
        try {
          await client.send({ address: '127.0.0.1', port: proxy.port, key: 'p' }, Buffer.from('x'));
          completed++;
        } catch {
          failed++;
        }
      }),
    );
    expect(completed + failed).toBe(12);
    await sleep(1500); // every server-side handshake deadline (800 ms) has passed
    expect(server.stats().handshakes).toBe(0);
  });

  it('a throwing receive handler does not break the transport', async () => {
    const server = await createDtlsServer({ host: '127.0.0.1', psk: pskLookup });
    const client = await createDtlsClient({ host: '127.0.0.1', psk: { identity: 'CoAP', key: PSK } });
    open.push(server, client);
    let calls = 0;
    server.onReceive(() => {
      calls++;
      throw new Error('handler bug');
    });
    await client.send(serverPeer(server), Buffer.from('1'));
    await client.send(serverPeer(server), Buffer.from('2'));
    await sleep(50);
    expect(calls).toBe(2);
  });
});
