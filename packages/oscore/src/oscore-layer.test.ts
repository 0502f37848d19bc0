/** The OSCORE layer end to end: two Endpoints on a MemoryNetwork. */
import { CoapError, Endpoint, type Peer } from '@lwm2m-ts/coap';
import { MemoryNetwork, type MemoryTransport, seededRandom } from '@lwm2m-ts/coap/testing';
import { CoapCode, decodeUdp, getOption, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes as h, bytesToHex as hex } from './bytes';
import type { OscoreError } from './oscore-error';
import { createOscoreLayer } from './oscore-layer';
import { SecurityContext } from './security-context';

const secret = h('0102030405060708090a0b0c0d0e0f10');
const contexts = (clientSecret = secret) => ({
  client: new SecurityContext({ masterSecret: clientSecret, senderId: h('00'), recipientId: h('01') }),
  server: new SecurityContext({ masterSecret: secret, senderId: h('01'), recipientId: h('00') }),
});

const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

function setup(opts: { clientLayer?: boolean; clientSecret?: Uint8Array } = {}) {
  const network = new MemoryNetwork();
  const serverTransport = network.transport('server', { kind: 'datagram', port: 5683 });
  const clientTransport = network.transport('client', { kind: 'datagram', port: 40001 });
  const ctx = contexts(opts.clientSecret);
  const failures: OscoreError[] = [];
  const server = new Endpoint({
    transport: serverTransport,
    random: seededRandom(1),
    layers: [createOscoreLayer({ contexts: ctx.server, onFailure: (e) => failures.push(e) })],
  });
  const client = new Endpoint({
    transport: clientTransport,
    random: seededRandom(2),
    layers: opts.clientLayer === false ? [] : [createOscoreLayer({ contexts: ctx.client })],
  });
  endpoints.push(server, client);
  const wire = sniff(clientTransport);
  return { network, server, client, ctx, failures, wire, serverPeer: clientTransport.peerOf(serverTransport) };
}

/** Frames the client puts on the wire. */
function sniff(t: MemoryTransport): { frames: Uint8Array[]; peers: Peer[] } {
  const frames: Uint8Array[] = [];
  const peers: Peer[] = [];
  const send = t.send.bind(t);
  t.send = (peer, frame) => {
    frames.push(frame);
    peers.push(peer);
    return send(peer, frame);
  };
  return { frames, peers };
}

describe('createOscoreLayer over Endpoint + MemoryNetwork', () => {
  it('protects a GET end to end and gives the handler the OSCORE identity', async () => {
    const { server, client, serverPeer, wire } = setup();
    let seen: Peer | undefined;
    server.router.get('/sensors/temp', (req) => {
      seen = req.peer;
      return { payload: `t=${req.queryParam('unit')}` };
    });
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/sensors/temp', query: 'unit=C' });
    expect(res.codeText).toBe('2.05');
    expect(res.text()).toBe('t=C');
    expect(seen?.identity).toEqual({ kind: 'oscore', recipientId: h('00') });
    expect(res.peer.identity).toEqual({ kind: 'oscore', recipientId: h('01') });
    const onWire = decodeUdp(wire.frames[0]!);
    expect(onWire.code).toBe(CoapCode.POST);
    expect(getOption(onWire, OptionNumber.URI_PATH)).toBeUndefined();
    expect(hex(getOption(onWire, OptionNumber.OSCORE)!)).toBe('090000');
    expect(new TextDecoder().decode(wire.frames[0]!)).not.toContain('temp');
  });

  it('refuses an unprotected request with 4.01', async () => {
    const { server, client, serverPeer } = setup({ clientLayer: false });
    server.router.get('/x', () => ({ payload: 'secret' }));
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/x' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    expect(res.text()).toBe('OSCORE required');
    expect(getOption(res.message, OptionNumber.MAX_AGE)).toEqual(new Uint8Array(0));
  });

  it('a client with the wrong key gets its request failed with the unprotected 4.00', async () => {
    const { server, client, serverPeer, failures } = setup({ clientSecret: h('0badc0de') });
    server.router.get('/x', () => ({ payload: 'secret' }));
    const err = await client.request({ method: 'GET', peer: serverPeer, path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoapError);
    expect((err as CoapError).message).toContain('Decryption failed');
    expect(failures.map((f) => f.kind)).toEqual(['decryption-failed']);
  });

  it('answers a replayed request with 4.01 Replay detected and does not run the handler twice', async () => {
    const { network, server, client, serverPeer, wire } = setup();
    let runs = 0;
    server.router.post('/actuator', () => {
      runs++;
      return {};
    });
    await client.request({ method: 'POST', peer: serverPeer, path: '/actuator', payload: 'on' });
    const attacker = network.transport('attacker', { kind: 'datagram', port: 40002 });
    const replies: Uint8Array[] = [];
    attacker.onReceive((frame) => replies.push(frame));
    await attacker.send(wire.peers[0]!, wire.frames[0]!);
    for (let i = 0; i < 50 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(runs).toBe(1);
    const reply = decodeUdp(replies[0]!);
    expect(reply.code).toBe(CoapCode.UNAUTHORIZED);
    expect(new TextDecoder().decode(reply.payload)).toBe('Replay detected');
  });

  it('carries a block-wise transfer, every block protected on its own', async () => {
    const { server, client, serverPeer, wire } = setup();
    const big = 'x'.repeat(3000);
    server.router.get('/big', () => ({ payload: big }));
    const res = await client.request({ method: 'GET', peer: serverPeer, path: '/big', block2Size: 512 });
    expect(res.text()).toBe(big);
    expect(wire.frames.length).toBeGreaterThan(1);
    for (const f of wire.frames) expect(getOption(decodeUdp(f), OptionNumber.OSCORE)).toBeDefined();
  });

  it('delivers Observe notifications in order, each with its own Partial IV', async () => {
    const { server, client, serverPeer } = setup();
    let value = 20;
    server.router.get('/temp', () => ({ payload: String(value) }), { observable: true });
    const observation = client.observe({ peer: serverPeer, path: '/temp' });
    const seen: string[] = [];
    const reader = (async () => {
      for await (const n of observation) {
        seen.push(n.text());
        if (seen.length === 3) break;
      }
    })();
    for (let i = 0; i < 50 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 1));
    value = 21;
    server.notify('/temp');
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 1));
    value = 22;
    server.notify('/temp');
    await reader;
    expect(seen).toEqual(['20', '21', '22']);
  });

  it('uses one context in both roles: the server side can also send protected requests to the client', async () => {
    const network = new MemoryNetwork();
    const ta = network.transport('device', { kind: 'datagram', port: 5683 });
    const tb = network.transport('lwm2m-server', { kind: 'datagram', port: 5684 });
    const { client: deviceCtx, server: serverCtx } = contexts();
    const device = new Endpoint({ transport: ta, layers: [createOscoreLayer({ contexts: deviceCtx })] });
    const lwm2m = new Endpoint({ transport: tb, layers: [createOscoreLayer({ contexts: serverCtx })] });
    endpoints.push(device, lwm2m);
    lwm2m.router.post('/rd', () => ({ code: CoapCode.CREATED, locationPath: ['rd', 'x1'] }));
    device.router.get('/3/0/0', () => ({ payload: 'ACME' }));
    const reg = await device.request({ method: 'POST', peer: ta.peerOf(tb), path: '/rd' });
    expect(reg.locationPath).toEqual(['rd', 'x1']);
    const read = await lwm2m.request({ method: 'GET', peer: tb.peerOf(ta), path: '/3/0/0' });
    expect(read.text()).toBe('ACME');
    expect(read.peer.identity).toEqual({ kind: 'oscore', recipientId: h('00') });
  });

  it('passes unprotected traffic through when OSCORE is not required and no client context applies', async () => {
    const network = new MemoryNetwork();
    const a = network.transport('a', { kind: 'datagram', port: 5683 });
    const b = network.transport('b', { kind: 'datagram', port: 5684 });
    const server = new Endpoint({ transport: a, layers: [createOscoreLayer({ contexts: [], requireOscore: false })] });
    const client = new Endpoint({ transport: b });
    endpoints.push(server, client);
    server.router.get('/open', (req) => ({ payload: String(req.peer.identity?.kind) }));
    const res = await client.request({ method: 'GET', peer: b.peerOf(a), path: '/open' });
    expect(res.text()).toBe('undefined');
    // The unprotected response must not carry an OSCORE option.
    expect(getOption(res.message, OptionNumber.OSCORE)).toBeUndefined();
  });
});
