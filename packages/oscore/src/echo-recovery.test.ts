/** Appendix B.1.2: replay-window initialization with Echo after a restart. */
import { CoapCode, createMessage, getOption, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h } from './bytes';
import { createEchoChallenge } from './error-responses';
import { protectRequest, unprotectRequest } from './protect-request';
import { unprotectResponse } from './protect-response';
import { SecurityContext } from './security-context';

const secret = h('0102030405060708090a0b0c0d0e0f10');

describe('Echo-based replay window recovery', () => {
  it('challenges the first request, accepts the echoed one, then enforces the window', () => {
    const client = new SecurityContext({ masterSecret: secret, senderId: h('00'), recipientId: h('01') });
    const server = new SecurityContext({
      masterSecret: secret,
      senderId: h('01'),
      recipientId: h('00'),
      replayWindowLost: true,
      random: (n) => new Uint8Array(n).fill(0xec),
    });
    server.senderSequenceNumber = 500; // as resumed from a SequenceNumberStore
    client.senderSequenceNumber = 40;
    const get = createMessage({
      code: CoapCode.GET,
      messageId: 1,
      token: h('01'),
      options: [{ number: OptionNumber.URI_PATH, value: h('61') }],
    });

    const first = protectRequest(client, get);
    const r1 = unprotectRequest(server, first.message);
    expect(r1.ok).toBe(false);
    if (r1.ok || !r1.binding) throw new Error('expected an echo challenge');
    expect(r1.error.kind).toBe('echo-required');
    const challenge = createEchoChallenge(first.message, r1.binding);
    expect(challenge.type).toBe(MessageType.ACK);
    expect(getOption(challenge, OptionNumber.OSCORE)![0]).toBe(0x02); // Partial IV present (2 bytes: 500)
    expect(server.senderSequenceNumber).toBe(501);

    const answer = unprotectResponse(first.binding, challenge);
    if (!answer.ok) throw answer.error;
    expect(answer.response.code).toBe(CoapCode.UNAUTHORIZED);
    const echo = getOption(answer.response, OptionNumber.ECHO)!;
    expect(echo).toEqual(new Uint8Array(8).fill(0xec));

    // A replayed request meanwhile gets the same Echo value, so the client's retry still matches.
    const replayed = unprotectRequest(server, first.message);
    if (replayed.ok || !replayed.binding) throw new Error('expected an echo challenge');
    const again1 = unprotectResponse(first.binding, createEchoChallenge(first.message, replayed.binding));
    expect(again1.ok).toBe(false); // the client already has its answer for that request
    expect(server.pendingEcho).toEqual(echo);

    // Without the Echo, or with a wrong one, the server keeps challenging.
    const wrong = protectRequest(client, {
      ...get,
      options: [...get.options, { number: OptionNumber.ECHO, value: h('00') }],
    });
    expect(unprotectRequest(server, wrong.message).ok).toBe(false);

    const second = protectRequest(client, {
      ...get,
      options: [...get.options, { number: OptionNumber.ECHO, value: echo }],
    });
    const r2 = unprotectRequest(server, second.message);
    expect(r2.ok).toBe(true);
    if (!r2.ok) return;
    expect(getOption(r2.request, OptionNumber.ECHO)).toBeUndefined();
    expect(server.replayWindow.initialized).toBe(true);

    // Anything at or below the proven-fresh Partial IV is now a replay.
    const again = unprotectRequest(server, first.message);
    expect(!again.ok && again.error.kind).toBe('replay');
    expect(unprotectRequest(server, protectRequest(client, get).message).ok).toBe(true);
  });
});
