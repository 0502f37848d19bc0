import { CoapCode, createMessage, decodeUdp, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRdNetwork } from '../test/harness';
import { discoverResourceDirectories } from './multicast-discovery';

describe('discoverResourceDirectories', () => {
  let net: ReturnType<typeof createRdNetwork>;
  beforeEach(() => {
    vi.useFakeTimers();
    net = createRdNetwork();
  });
  afterEach(async () => {
    await net.close();
    vi.useRealTimers();
  });

  it('collects every RD that answers within the window, ACKs CON answers, ignores errors and foreign tokens', async () => {
    const seeker = net.network.transport('seeker');
    const token = Uint8Array.of(0xca, 0xfe, 0x00, 0x01);
    const found = discoverResourceDirectories({
      transport: seeker,
      // On MemoryNetwork the "group" is the RD itself; real groups are exercised in apps/rd.
      group: seeker.peerOf(net.rdTransport),
      token,
      timeoutMs: 1000,
    });
    const answer = (name: string, msg: Parameters<typeof createMessage>[0]) => {
      const t = net.network.transport(name);
      const acks: number[] = [];
      t.onReceive((bytes) => acks.push(decodeUdp(bytes).type));
      void t.send(t.peerOf(seeker), encodeUdp(createMessage(msg)));
      return acks;
    };
    await vi.advanceTimersByTimeAsync(10);
    const acksA = answer('rd2', {
      type: MessageType.CON,
      code: CoapCode.CONTENT,
      messageId: 77,
      token,
      payload: new TextEncoder().encode('</reg>;rt=core.rd,</look>;rt=core.rd-lookup-res'),
    });
    answer('err', { type: MessageType.NON, code: CoapCode.NOT_FOUND, messageId: 5, token });
    answer('other', {
      type: MessageType.NON,
      code: CoapCode.CONTENT,
      messageId: 6,
      token: Uint8Array.of(1),
      payload: new TextEncoder().encode('</x>;rt=core.rd'),
    });
    answer('junk', {
      type: MessageType.NON,
      code: CoapCode.CONTENT,
      messageId: 7,
      token,
      payload: new TextEncoder().encode('<broken'),
    });
    await vi.advanceTimersByTimeAsync(1000);
    const rds = await found;
    expect(rds.map((r) => [r.peer.address, r.interfaces])).toEqual([
      ['rd', { registration: '/rd', lookupEp: '/rd-lookup/ep', lookupRes: '/rd-lookup/res' }],
      ['rd2', { registration: '/reg', lookupEp: undefined, lookupRes: '/look' }],
    ]);
    expect(acksA).toEqual([MessageType.ACK]);
  });
});
