/**
 * The OSCORE layer's recovery flows end to end on MemoryNetwork: Appendix B.1.2 (a server that
 * restarted with a persisted sequence number answers a protected 4.01 + Echo; the client layer
 * repeats the request with the Echo) and Appendix B.2 (ID Context re-derivation on first contact).
 */
import { CoapError, Endpoint, type MessageLayer } from '@lwm2m-ts/coap';
import { MemoryNetwork, type MemoryTransport, seededRandom } from '@lwm2m-ts/coap/testing';
import { CoapCode, decodeReliable, decodeUdp, getOption, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes as h } from './bytes';
import { SecurityContextRegistry } from './context-registry';
import { createEchoChallenge } from './error-responses';
import { IdContextRederivationClient, IdContextRederivationServer } from './id-context-rederivation';
import type { OscoreError } from './oscore-error';
import { createOscoreLayer } from './oscore-layer';
import { decodeOscoreOption } from './oscore-option';
import { unprotectRequest } from './protect-request';
import { SecurityContext } from './security-context';
import { MemorySequenceNumberStore } from './sequence-number-store';

const secret = h('0102030405060708090a0b0c0d0e0f10');
const serverInput = { masterSecret: secret, senderId: h('01'), recipientId: h('00') };
const clientInput = { masterSecret: secret, senderId: h('00'), recipientId: h('01') };

const endpoints: Endpoint[] = [];
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

type Kind = 'datagram' | 'stream';

/** Decoded messages a transport sends (signals left out). */
function sniff(t: MemoryTransport, kind: Kind) {
  const sent: ReturnType<typeof decodeUdp>[] = [];
  const send = t.send.bind(t);
  t.send = (peer, frame) => {
    const m = kind === 'datagram' ? decodeUdp(frame) : decodeReliable(frame, 'tcp');
    if (m.code >> 5 !== 7 && m.code !== 0) sent.push(m);
    return send(peer, frame);
  };
  return sent;
}

describe.each(['datagram', 'stream'] as const)('Appendix B.1.2 through the layer (%s)', (kind) => {
  it('a server restarted with a persisted sequence number challenges with Echo; the client request still succeeds', async () => {
    const network = new MemoryNetwork();
    const store = new MemorySequenceNumberStore();
    const clientT = network.transport('client', { kind, port: 40001 });
    const client = new Endpoint({
      transport: clientT,
      random: seededRandom(2),
      layers: [createOscoreLayer({ contexts: new SecurityContext(clientInput) })],
    });
    const clientSent = sniff(clientT, kind);
    const startServer = (port: number) => {
      const t = network.transport(`server-${port}`, { kind, port });
      const failures: OscoreError[] = [];
      const context = new SecurityContext({ ...serverInput, sequenceStore: store, sequenceInterval: 10 });
      const server = new Endpoint({
        transport: t,
        random: seededRandom(port),
        layers: [createOscoreLayer({ contexts: context, onFailure: (e) => failures.push(e) })],
      });
      let served = 0;
      server.router.get('/temp', () => ({ payload: `21.${served++}` }));
      endpoints.push(server);
      return { t, server, context, failures, sent: sniff(t, kind), served: () => served };
    };

    const first = startServer(5683);
    endpoints.push(client);
    client.router.get('/3/0/0', () => ({ payload: 'ACME' }));
    for (let i = 0; i < 3; i++) {
      const res = await client.request({ method: 'GET', peer: clientT.peerOf(first.t), path: '/temp' });
      expect(res.text()).toBe(`21.${i}`);
    }
    // The server also sends requests (an LwM2M Read), so its sequence number is in use and persisted.
    expect((await first.server.request({ method: 'GET', peer: first.t.peerOf(clientT), path: '/3/0/0' })).text()).toBe(
      'ACME',
    );
    const usedBefore = first.context.senderSequenceNumber;
    await first.server.close();

    // Restart: same store, so the context resumes past the saved number and marks its window lost.
    const second = startServer(5684);
    expect(second.context.replayWindow.initialized).toBe(false);
    expect(second.context.senderSequenceNumber).toBeGreaterThan(usedBefore);
    const before = clientSent.length;
    const res = await client.request({ method: 'GET', peer: clientT.peerOf(second.t), path: '/temp' });
    expect(res.code).toBe(CoapCode.CONTENT);
    expect(res.text()).toBe('21.0');
    expect(res.peer.identity).toEqual({ kind: 'oscore', recipientId: h('01') });
    expect(second.served()).toBe(1); // the handler ran only for the proven-fresh request
    expect(clientSent.at(-1)!.code).toBe(CoapCode.POST); // outer code of a protected GET (RFC 8613 §4.2)

    // On the wire: two protected requests, the first answered by a protected 4.01 (outer code 2.04).
    expect(clientSent.length - before).toBe(2);
    const [challenge, answer] = second.sent;
    expect(challenge!.code).toBe(CoapCode.CHANGED); // outer code of a protected response
    const header = decodeOscoreOption(getOption(challenge!, OptionNumber.OSCORE)!);
    expect(header.partialIv).toBeDefined(); // the server's own Partial IV, never the request nonce
    expect(getOption(challenge!, OptionNumber.ECHO)).toBeUndefined(); // Echo travels encrypted
    expect(answer!.code).toBe(CoapCode.CHANGED);
    expect(second.sent).toHaveLength(2);
    expect(second.failures.map((f) => f.kind)).toEqual(['echo-required']);
    expect(second.context.replayWindow.initialized).toBe(true);

    // Later requests need no Echo.
    const again = await client.request({ method: 'GET', peer: clientT.peerOf(second.t), path: '/temp' });
    expect(again.text()).toBe('21.1');
    expect(clientSent.length - before).toBe(3);
  });
});

describe('Appendix B.1.2 retry bounds', () => {
  it('repeats a request at most once: a second Echo challenge reaches the caller as 4.01', async () => {
    const network = new MemoryNetwork();
    const st = network.transport('server', { kind: 'datagram', port: 5683 });
    const ct = network.transport('client', { kind: 'datagram', port: 40001 });
    const serverCtx = new SecurityContext(serverInput);
    let challenged = 0;
    // A server that never accepts the proof: it challenges every request.
    const alwaysChallenge: MessageLayer = {
      name: 'always-echo',
      receiveRequest: (m) => {
        const r = unprotectRequest(serverCtx, m);
        if (!r.binding) throw new Error('no binding');
        serverCtx.pendingEcho = undefined;
        challenged++;
        return { reject: CoapCode.UNAUTHORIZED, message: createEchoChallenge(m, r.binding) };
      },
    };
    const server = new Endpoint({ transport: st, layers: [alwaysChallenge] });
    const client = new Endpoint({
      transport: ct,
      layers: [createOscoreLayer({ contexts: new SecurityContext(clientInput) })],
    });
    endpoints.push(server, client);
    const res = await client.request({ method: 'GET', peer: ct.peerOf(st), path: '/x' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    expect(getOption(res.message, OptionNumber.ECHO)).toBeDefined();
    expect(challenged).toBe(2);
  });

  it('answerEcho: false hands the protected 4.01 + Echo to the caller', async () => {
    const network = new MemoryNetwork();
    const st = network.transport('server', { kind: 'datagram', port: 5683 });
    const ct = network.transport('client', { kind: 'datagram', port: 40001 });
    const restarted = new SecurityContext({ ...serverInput, replayWindowLost: true });
    const server = new Endpoint({ transport: st, layers: [createOscoreLayer({ contexts: restarted })] });
    const client = new Endpoint({
      transport: ct,
      layers: [createOscoreLayer({ contexts: new SecurityContext(clientInput), answerEcho: false })],
    });
    endpoints.push(server, client);
    server.router.get('/x', () => ({ payload: 'x' }));
    const res = await client.request({ method: 'GET', peer: ct.peerOf(st), path: '/x' });
    expect(res.code).toBe(CoapCode.UNAUTHORIZED);
    expect(getOption(res.message, OptionNumber.ECHO)?.length).toBe(8);
  });
});

describe('Appendix B.2 through the layer', () => {
  it('a client without a shared ID Context establishes one on first contact, transparently', async () => {
    const network = new MemoryNetwork();
    const st = network.transport('server', { kind: 'datagram', port: 5683 });
    const ct = network.transport('client', { kind: 'datagram', port: 40001 });
    const registry = new SecurityContextRegistry([]);
    const rederivationServer = new IdContextRederivationServer({ templates: [serverInput], registry });
    const server = new Endpoint({
      transport: st,
      layers: [createOscoreLayer({ contexts: registry, rederivationServer })],
    });
    const template = new IdContextRederivationClient(clientInput);
    const client = new Endpoint({
      transport: ct,
      layers: [createOscoreLayer({ contexts: [], rederivationClient: () => template })],
    });
    endpoints.push(server, client);
    const clientSent = sniff(ct, 'datagram');
    const seen: unknown[] = [];
    server.router.get('/x', (req) => {
      seen.push(req.peer.identity);
      return { payload: 'hello' };
    });

    const res = await client.request({ method: 'GET', peer: ct.peerOf(st), path: '/x' });
    expect(res.text()).toBe('hello');
    expect(clientSent).toHaveLength(2); // request #1 (ID1 = R1), request #2 (ID3 = R2 || R3)
    const kidContexts = clientSent.map((m) => decodeOscoreOption(getOption(m, OptionNumber.OSCORE)!).kidContext!);
    expect(kidContexts[0]!.length).toBe(8);
    expect(kidContexts[1]!.length).toBe(16);
    expect(seen).toEqual([{ kind: 'oscore', recipientId: h('00'), idContext: kidContexts[1] }]);
    expect(registry.size).toBe(1);

    // ID3 protects later requests: one message, no challenge.
    expect((await client.request({ method: 'GET', peer: ct.peerOf(st), path: '/x' })).text()).toBe('hello');
    expect(clientSent).toHaveLength(3);
    expect(decodeOscoreOption(getOption(clientSent[2]!, OptionNumber.OSCORE)!).kidContext).toEqual(kidContexts[1]);
  });

  it('without a rederivation server, an unknown ID Context is refused with 4.01', async () => {
    const network = new MemoryNetwork();
    const st = network.transport('server', { kind: 'datagram', port: 5683 });
    const ct = network.transport('client', { kind: 'datagram', port: 40001 });
    const server = new Endpoint({
      transport: st,
      layers: [createOscoreLayer({ contexts: new SecurityContextRegistry([]) })],
    });
    const client = new Endpoint({
      transport: ct,
      layers: [
        createOscoreLayer({ contexts: [], rederivationClient: () => new IdContextRederivationClient(clientInput) }),
      ],
    });
    endpoints.push(server, client);
    const e = await client.request({ method: 'GET', peer: ct.peerOf(st), path: '/x' }).catch((x: unknown) => x);
    expect(CoapError.isInstance(e) && e.code).toBe(CoapCode.UNAUTHORIZED);
    expect((e as Error).message).toMatch(/Security context not found/);
  });
});
