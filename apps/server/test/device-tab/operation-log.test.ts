import type { Peer, Transport } from '@lwm2m-ts/coap';
import {
  CoapCode,
  type CoapMessage,
  ContentFormat,
  createMessage,
  createOption,
  encodeReliable,
  OptionNumber,
} from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OperationLog } from '../../ui/src/device-tab/operation-log';
import { classifyServerRequest } from '../../ui/src/device-tab/server-operation';

const token = new Uint8Array([1, 2]);
function request(
  code: number,
  path: string,
  extra: { observe?: number; accept?: number; query?: string[]; payload?: string } = {},
) {
  const options = [
    ...(extra.observe !== undefined ? [createOption(OptionNumber.OBSERVE, extra.observe)] : []),
    ...path
      .split('/')
      .filter(Boolean)
      .map((s) => createOption(OptionNumber.URI_PATH, s)),
    ...(extra.accept !== undefined ? [createOption(OptionNumber.ACCEPT, extra.accept)] : []),
    ...(extra.query ?? []).map((q) => createOption(OptionNumber.URI_QUERY, q)),
  ];
  return createMessage({
    code,
    token,
    options,
    ...(extra.payload !== undefined ? { payload: new TextEncoder().encode(extra.payload) } : {}),
  });
}
const response = (code: number, observe?: number): CoapMessage =>
  createMessage({ code, token, options: observe === undefined ? [] : [createOption(OptionNumber.OBSERVE, observe)] });

describe('classifyServerRequest', () => {
  it.each([
    [request(CoapCode.GET, '/3303/0/5700'), 'read'],
    [request(CoapCode.GET, '/3', { accept: ContentFormat.LINK_FORMAT }), 'discover'],
    [request(CoapCode.GET, '/3303/0/5700', { observe: 0 }), 'observe'],
    [request(CoapCode.GET, '/3303/0/5700', { observe: 1 }), 'cancel-observe'],
    [request(CoapCode.PUT, '/3311/0/5850', { payload: '1' }), 'write'],
    [request(CoapCode.PUT, '/3303/0/5700', { query: ['pmin=1', 'pmax=5'] }), 'write-attributes'],
    [request(CoapCode.POST, '/3311', { payload: 'x' }), 'create'],
    [request(CoapCode.POST, '/3311/0', { payload: 'x' }), 'write'],
    [request(CoapCode.POST, '/3/0/4'), 'execute'],
    [request(CoapCode.POST, '/bs'), 'other'],
    [request(CoapCode.DELETE, '/3311/0'), 'delete'],
    [request(CoapCode.FETCH, '/'), 'read-composite'],
    [request(CoapCode.FETCH, '/', { observe: 0 }), 'observe-composite'],
    [request(CoapCode.FETCH, '/', { observe: 1 }), 'cancel-observe-composite'],
    [request(CoapCode.IPATCH, '/'), 'write-composite'],
    [request(CoapCode.PATCH, '/3'), 'other'],
  ])('%#: %s', (message, kind) => {
    expect(classifyServerRequest(message)?.kind).toBe(kind);
  });

  it('ignores responses, empty messages and signals', () => {
    expect(classifyServerRequest(response(CoapCode.CONTENT))).toBeUndefined();
    expect(classifyServerRequest(createMessage({ code: 0 }))).toBeUndefined();
    expect(classifyServerRequest(createMessage({ code: CoapCode.PING }))).toBeUndefined();
  });

  it('keeps the path, query and token', () => {
    expect(classifyServerRequest(request(CoapCode.PUT, '/3303/0/5700', { query: ['pmin=1', 'gt=30'] }))).toEqual({
      kind: 'write-attributes',
      path: '/3303/0/5700',
      query: 'pmin=1&gt=30',
      token: '0102',
    });
    expect(classifyServerRequest(request(CoapCode.GET, ''))?.path).toBe('/');
  });
});

describe('OperationLog', () => {
  it('puts the answer on the request and counts notifications of an observation', () => {
    const log = new OperationLog({ now: () => 1000 });
    let changes = 0;
    log.subscribe(() => changes++);
    log.inbound(request(CoapCode.GET, '/3303/0/5700', { observe: 0 }));
    log.outbound(response(CoapCode.CONTENT, 1));
    log.outbound(response(CoapCode.CONTENT, 2));
    log.outbound(response(CoapCode.CONTENT, 3));
    expect(log.entries()).toEqual([
      { id: 1, at: 1000, kind: 'observe', path: '/3303/0/5700', query: '', code: '2.05', notifications: 2 },
    ]);
    expect(changes).toBe(4);
  });

  it('stops following a plain request once answered, and an observation answered with an error', () => {
    const log = new OperationLog();
    log.inbound(request(CoapCode.GET, '/3/0/0'));
    log.outbound(response(CoapCode.CONTENT));
    log.outbound(response(CoapCode.CONTENT, 5)); // same token, not an observation: ignored
    expect(log.entries()[0]).toMatchObject({ code: '2.05', notifications: 0 });
    log.inbound(request(CoapCode.GET, '/9/0', { observe: 0 }));
    log.outbound(response(CoapCode.NOT_FOUND));
    log.outbound(response(CoapCode.CONTENT, 2));
    expect(log.entries()[1]).toMatchObject({ kind: 'observe', code: '4.04', notifications: 0 });
    // Our own requests going out (Register, Update) are not the server's operations.
    log.outbound(request(CoapCode.POST, '/rd'));
    expect(log.entries()).toHaveLength(2);
  });

  it('keeps at most `capacity` entries and forgets the tokens of dropped ones', () => {
    const log = new OperationLog({ capacity: 3 });
    for (let i = 0; i < 5; i++) log.inbound(request(CoapCode.GET, `/3/0/${i}`));
    expect(log.entries().map((e) => e.path)).toEqual(['/3/0/2', '/3/0/3', '/3/0/4']);
    log.clear();
    expect(log.entries()).toEqual([]);
    log.outbound(response(CoapCode.CONTENT));
    expect(log.entries()).toEqual([]);
  });

  it('taps a transport: frames pass through unchanged, malformed ones are skipped without a throw', async () => {
    const sent: Uint8Array[] = [];
    let deliver: (frame: Uint8Array, peer: Peer) => void = () => {};
    const inner: Transport = {
      reliable: true,
      framing: 'websocket',
      scheme: 'coap+ws',
      send: async (_peer, frame) => {
        sent.push(frame);
      },
      onReceive: (handler) => {
        deliver = handler;
      },
      resolvePeer: async (address, port) => ({ address, port, key: `${address}|${port}` }),
      localAddress: () => undefined,
      close: async () => {},
    };
    const log = new OperationLog();
    const tapped = log.tap(inner);
    expect(tapped.scheme).toBe('coap+ws');
    expect(tapped.onPeerClosed).toBeUndefined();
    const received: Uint8Array[] = [];
    tapped.onReceive((frame) => received.push(frame));
    const peer = await tapped.resolvePeer!('127.0.0.1', 80);

    const read = encodeReliable(request(CoapCode.GET, '/3303/0/5700'), 'ws');
    const garbage = [
      new Uint8Array([]),
      new Uint8Array([0xff]),
      new Uint8Array([0x0f, 0x01]),
      new Uint8Array(64).fill(0xee),
    ];
    for (const frame of [...garbage, read]) deliver(frame, peer);
    expect(received).toEqual([...garbage, read]);
    const answer = encodeReliable(response(CoapCode.CONTENT), 'ws');
    for (const frame of [...garbage, answer]) await tapped.send(peer, frame);
    expect(sent).toEqual([...garbage, answer]);
    expect(log.entries()).toMatchObject([{ kind: 'read', path: '/3303/0/5700', code: '2.05' }]);
  });

  it('never throws on random frames in either direction, and stays bounded', async () => {
    const log = new OperationLog({ capacity: 50 });
    let deliver: (frame: Uint8Array, peer: Peer) => void = () => {};
    const tapped = log.tap({
      reliable: true,
      framing: 'websocket',
      scheme: 'coap+ws',
      send: async () => {},
      onReceive: (handler) => {
        deliver = handler;
      },
      localAddress: () => undefined,
      close: async () => {},
    });
    tapped.onReceive(() => {});
    const peer = { address: '127.0.0.1', port: 80, key: '127.0.0.1|80' };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), fc.boolean(), async (frame, inbound) => {
        if (inbound) deliver(frame, peer);
        else await tapped.send(peer, frame);
        expect(log.entries().length).toBeLessThanOrEqual(50);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
