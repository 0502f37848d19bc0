import {
  CoapCode,
  type CoapMessage,
  createCsm,
  createMessage,
  decodeReliable,
  encodeReliable,
  getBlock1,
  getBlock2,
} from '@lwm2m-ts/codec';
import type { MemoryNetwork, MemoryTransport } from '../src/testing/index';
import type { Peer } from '../src/transport';

/** A bare RFC 8323 (TCP framing) node: records what it receives, sends what a test tells it. */
export function rawStream(network: MemoryNetwork, name: string) {
  const transport = network.transport(name, { kind: 'stream' });
  const received: { msg: CoapMessage; from: Peer }[] = [];
  transport.onReceive((bytes, from) => received.push({ msg: decodeReliable(bytes, 'tcp'), from }));
  const send = (to: Peer, m: Partial<CoapMessage> & { code: number }) =>
    transport.send(to, encodeReliable(createMessage(m), 'tcp'));
  return {
    transport,
    received,
    send,
    csm: (to: Peer, maxMessageSize: number, blockWiseTransfer: boolean) =>
      transport.send(to, encodeReliable(createCsm({ maxMessageSize, blockWiseTransfer }), 'tcp')),
    /** Received messages other than signals. */
    messages: () => received.filter((r) => r.msg.code >> 5 !== 7),
  };
}

/** Records every message a transport sends (decoded), to check what an endpoint put on the wire. */
export function tapSent(transport: MemoryTransport): CoapMessage[] {
  const sent: CoapMessage[] = [];
  const send = transport.send.bind(transport);
  transport.send = (peer: Peer, frame: Uint8Array) => {
    sent.push(decodeReliable(frame, transport.framing === 'websocket' ? 'ws' : 'tcp'));
    return send(peer, frame);
  };
  return sent;
}

/** [num, szx, payload bytes, more] of each message's Block1 or Block2 option. */
export function blocks(messages: readonly CoapMessage[], which: 1 | 2): [number, number, number, boolean][] {
  const out: [number, number, number, boolean][] = [];
  for (const m of messages) {
    if (m.code >> 5 === 7) continue;
    const b = which === 1 ? getBlock1(m) : getBlock2(m);
    if (b) out.push([b.num, b.szx, m.payload.length, b.more]);
  }
  return out;
}

export const requests = (messages: readonly CoapMessage[]) =>
  messages.filter((m) => m.code >= CoapCode.GET && m.code < 32);
export const responses = (messages: readonly CoapMessage[]) =>
  messages.filter((m) => m.code >> 5 >= 2 && m.code >> 5 < 7);
