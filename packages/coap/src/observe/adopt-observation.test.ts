/**
 * Notifications for a token this endpoint never registered (an observation made by another
 * cluster node): rejected with RST unless `onUnknownNotification` adopts the token through
 * `adoptObservation`, after which they are acknowledged and delivered like any notification.
 */
import { CoapCode, createOption, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPair, rawNode, settle } from '../../test/helpers';
import type { CoapResponse } from '../response';

const TOKEN = Uint8Array.of(0xca, 0xfe);
const notification = (messageId: number, seq: number, value: string, token = TOKEN) => ({
  type: MessageType.CON,
  code: CoapCode.CONTENT,
  messageId,
  token,
  options: [createOption(OptionNumber.OBSERVE, seq)],
  payload: new TextEncoder().encode(value),
});

describe('adopting observations by token', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects an unknown notification with RST when nobody adopts it (no hook, false, or a failing hook)', async () => {
    for (const hook of [undefined, async () => false, async () => Promise.reject(new Error('store down'))]) {
      const { network, serverTransport } = createPair(hook ? { server: { onUnknownNotification: hook } } : {});
      const raw = rawNode(network, 'device');
      await raw.send(raw.transport.peerOf(serverTransport), notification(9, 2, 'x'));
      await settle(vi);
      expect(raw.received.map((r) => [r.msg.type, r.msg.messageId])).toEqual([[MessageType.RST, 9]]);
    }
  });

  it('does not ask about a plain response with an unknown token (no Observe option)', async () => {
    const hook = vi.fn(async () => true);
    const { network, serverTransport } = createPair({ server: { onUnknownNotification: hook } });
    const raw = rawNode(network, 'device');
    await raw.send(raw.transport.peerOf(serverTransport), {
      type: MessageType.CON,
      code: CoapCode.CONTENT,
      messageId: 3,
      token: TOKEN,
    });
    await settle(vi);
    expect(hook).not.toHaveBeenCalled();
    expect(raw.received[0]!.msg.type).toBe(MessageType.RST);
  });

  it('adopts the token: the notification is acknowledged and delivered, and the next ones too', async () => {
    const delivered: string[] = [];
    const { network, server, serverTransport } = createPair({
      server: {
        onUnknownNotification: async (message, peer) => {
          const observation = server.adoptObservation({ peer, path: '/3303/0/5700', token: message.token });
          void (async () => {
            for await (const n of observation as AsyncIterable<CoapResponse>) delivered.push(n.text());
          })();
          return true;
        },
      },
    });
    const raw = rawNode(network, 'device');
    const to = raw.transport.peerOf(serverTransport);
    await raw.send(to, notification(20, 5, '21.5'));
    await raw.send(to, notification(20, 5, '21.5')); // retransmission while the lookup ran
    await settle(vi);
    await raw.send(to, notification(21, 6, '22.0'));
    await settle(vi);
    expect(delivered).toEqual(['21.5', '22.0']);
    expect(raw.received.filter((r) => r.msg.type === MessageType.ACK).map((r) => r.msg.messageId)).toEqual(
      expect.arrayContaining([20, 21]),
    );
    expect(raw.received.some((r) => r.msg.type === MessageType.RST)).toBe(false);
    // Another token is still unknown.
    await raw.send(to, notification(22, 1, 'y', Uint8Array.of(1)));
    await settle(vi);
    expect(raw.received.at(-1)!.msg.type).toBe(MessageType.ACK); // adopted by the same hook
  });

  it('answers RST when the hook says yes but adopted nothing', async () => {
    const { network, serverTransport } = createPair({ server: { onUnknownNotification: async () => true } });
    const raw = rawNode(network, 'device');
    await raw.send(raw.transport.peerOf(serverTransport), notification(30, 2, 'x'));
    await settle(vi);
    expect(raw.received.map((r) => r.msg.type)).toEqual([MessageType.RST]);
  });
});
