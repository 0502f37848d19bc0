import type { Peer, Transport } from '@lwm2m-ts/coap';
import { encodeUdp, MessageType, withContentFormat, withUriPath, withUriQuery } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { CoapMessageLog } from './coap-message-log';

function fakeTransport() {
  let handler: ((frame: Uint8Array, peer: Peer) => void) | undefined;
  const sent: Uint8Array[] = [];
  const transport: Transport = {
    reliable: false,
    framing: 'datagram',
    scheme: 'coap',
    send: async (_peer, frame) => {
      sent.push(frame);
    },
    onReceive: (h) => {
      handler = h;
    },
    localAddress: () => ({ address: '127.0.0.1', port: 5683 }),
    close: async () => undefined,
  };
  return { transport, sent, receive: (frame: Uint8Array, peer: Peer) => handler?.(frame, peer) };
}

const peer: Peer = { address: '10.0.0.7', port: 40000, key: '10.0.0.7|40000' };
const base = {
  type: MessageType.CON,
  code: 2,
  messageId: 7,
  token: new Uint8Array([0xab]),
  options: [],
  payload: new Uint8Array(),
};

describe('CoAP message log', () => {
  it('files a Register under its endpoint, then the answer and later traffic by peer', async () => {
    const known = new Map<string, string>();
    const entries: [string, string][] = [];
    const log = new CoapMessageLog({
      endpointOf: (p) => known.get(p.key),
      onEntry: (ep, e) => entries.push([ep, e.code]),
      now: () => 1000,
      capacity: 3,
    });
    const fake = fakeTransport();
    const wrapped = log.wrap(fake.transport);
    const inbound: Uint8Array[] = [];
    wrapped.onReceive((frame) => inbound.push(frame));
    const register = withContentFormat(
      withUriQuery(withUriPath({ ...base, payload: new TextEncoder().encode('</3/0>') }, ['rd']), ['ep=dev9', 'lt=60']),
      40,
    );
    fake.receive(encodeUdp(register), peer);
    expect(inbound).toHaveLength(1); // passed on to the engine
    await wrapped.send(peer, encodeUdp({ ...base, type: MessageType.ACK, code: 0x41 }));
    expect(fake.sent).toHaveLength(1);
    const [first, second] = log.list('dev9');
    expect(first).toMatchObject({
      direction: 'in',
      type: 'CON',
      code: 'POST',
      path: '/rd',
      query: 'ep=dev9&lt=60',
      contentFormat: 40,
      payload: '</3/0>',
      payloadBytes: 6,
      token: 'ab',
      peer: '10.0.0.7:40000',
      at: 1000,
    });
    expect(second).toMatchObject({ direction: 'out', type: 'ACK', code: '2.01' });
    known.set(peer.key, 'dev9');
    for (let i = 0; i < 3; i++)
      await wrapped.send(peer, encodeUdp(withUriPath({ ...base, code: 1 }, ['3', '0', String(i)])));
    expect(log.list('dev9').map((e) => e.path)).toEqual(['/3/0/0', '/3/0/1', '/3/0/2']); // capacity 3
    expect(entries).toHaveLength(5);
    log.forget('dev9');
    expect(log.list('dev9')).toEqual([]);
  });

  it('ignores frames it cannot decode and peers it cannot name, without breaking the transport', async () => {
    const log = new CoapMessageLog({ endpointOf: () => undefined });
    const fake = fakeTransport();
    const wrapped = log.wrap(fake.transport);
    const inbound: Uint8Array[] = [];
    wrapped.onReceive((frame) => inbound.push(frame));
    fake.receive(new Uint8Array([0xff, 0x00]), peer);
    fake.receive(encodeUdp(withUriPath({ ...base, code: 1 }, ['x'])), peer);
    expect(inbound).toHaveLength(2);
    expect(log.list('anything')).toEqual([]);
  });
});
