/** Observe over OSCORE (RFC 8613 §4.1.3.5, §7.4.1, §8.3.1, §8.4.2). */
import {
  CoapCode,
  type CoapOption,
  createMessage,
  decodeUint,
  encodeUint,
  getOption,
  MessageType,
  OptionNumber,
} from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h, bytesToHex as hex } from './bytes';
import { protectRequest, unprotectRequest } from './protect-request';
import { protectResponse, unprotectResponse } from './protect-response';
import { SecurityContext } from './security-context';

const secret = h('0102030405060708090a0b0c0d0e0f10');
const utf8 = new TextEncoder();

function setup(observeValue: number | null = 0) {
  const client = new SecurityContext({ masterSecret: secret, senderId: h('00'), recipientId: h('01') });
  const server = new SecurityContext({ masterSecret: secret, senderId: h('01'), recipientId: h('00') });
  const options: CoapOption[] = [{ number: OptionNumber.URI_PATH, value: utf8.encode('temp') }];
  if (observeValue !== null) options.unshift({ number: OptionNumber.OBSERVE, value: encodeUint(observeValue) });
  const req = createMessage({ code: CoapCode.GET, token: h('77'), options });
  const { message, binding: clientBinding } = protectRequest(client, req);
  const r = unprotectRequest(server, message);
  if (!r.ok) throw r.error;
  const notify = (seq: number | undefined, body: string, code: number = CoapCode.CONTENT) =>
    protectResponse(
      r.binding,
      createMessage({
        type: MessageType.NON,
        token: h('77'),
        code,
        options: seq === undefined ? [] : [{ number: OptionNumber.OBSERVE, value: encodeUint(seq) }],
        payload: utf8.encode(body),
      }),
    );
  return { client, server, clientBinding, serverBinding: r.binding, notify };
}

const observeOf = (m: Parameters<typeof getOption>[0]) => {
  const v = getOption(m, OptionNumber.OBSERVE);
  return v === undefined ? undefined : decodeUint(v);
};

describe('notifications', () => {
  it('first without Partial IV, later ones with increasing Partial IVs; outer 2.05 + outer Observe', () => {
    const { clientBinding, notify } = setup();
    const n1 = notify(5, 'a');
    const n2 = notify(6, 'b');
    const n3 = notify(7, 'c');
    expect(n1.code).toBe(CoapCode.CONTENT);
    expect(observeOf(n1)).toBe(5);
    expect(getOption(n1, OptionNumber.OSCORE)!.length).toBe(0);
    expect(hex(getOption(n2, OptionNumber.OSCORE)!)).toBe('0100');
    expect(hex(getOption(n3, OptionNumber.OSCORE)!)).toBe('0101');

    const r1 = unprotectResponse(clientBinding, n1);
    const r2 = unprotectResponse(clientBinding, n2);
    const r3 = unprotectResponse(clientBinding, n3);
    expect(r1.ok && r2.ok && r3.ok).toBe(true);
    if (!r1.ok || !r2.ok || !r3.ok) return;
    expect([r1.notification, r2.notification, r3.notification]).toEqual([true, true, true]);
    // The client orders by Partial IV: the Observe value it sees is derived from it (§4.1.3.5.2).
    expect([observeOf(r1.response), observeOf(r2.response), observeOf(r3.response)]).toEqual([0, 1, 2]);
    expect(new TextDecoder().decode(r3.response.payload)).toBe('c');
    expect(clientBinding.notificationNumber).toBe(1);
  });

  it('rejects replayed and reordered (older) notifications without changing state', () => {
    const { clientBinding, notify } = setup();
    notify(1, 'first');
    const older = notify(2, 'older');
    const newer = notify(3, 'newer');
    expect(unprotectResponse(clientBinding, newer).ok).toBe(true);
    const stale = unprotectResponse(clientBinding, older);
    expect(!stale.ok && stale.error.kind).toBe('replay');
    const replay = unprotectResponse(clientBinding, newer);
    expect(!replay.ok && replay.error.kind).toBe('replay');
    expect(clientBinding.notificationNumber).toBe(1);
  });

  it('accepts the notification without Partial IV only once, and never after a newer one', () => {
    const { clientBinding, notify } = setup();
    const first = notify(1, 'first');
    const second = notify(2, 'second');
    expect(unprotectResponse(clientBinding, second).ok).toBe(true);
    const late = unprotectResponse(clientBinding, first);
    expect(late.ok).toBe(false);
  });

  it('a non-notification response ends the observation', () => {
    const { clientBinding, notify } = setup();
    expect(unprotectResponse(clientBinding, notify(1, 'x')).ok).toBe(true);
    const end = unprotectResponse(clientBinding, notify(undefined, 'gone', CoapCode.NOT_FOUND));
    expect(end.ok && !end.notification && end.response.code).toBe(CoapCode.NOT_FOUND);
    const after = unprotectResponse(clientBinding, notify(3, 'late'));
    expect(!after.ok && after.error.kind).toBe('unexpected-response');
  });

  it('a notification to a non-Observe request is rejected (§8.4)', () => {
    const { clientBinding, notify } = setup(null);
    const r = unprotectResponse(clientBinding, notify(1, 'x'));
    expect(!r.ok && r.error.kind).toBe('unexpected-response');
  });

  it('a cancellation (Observe 1) is not a registration', () => {
    const { clientBinding, serverBinding } = setup(1);
    expect(clientBinding.observe).toBe(false);
    expect(serverBinding.observe).toBe(false);
  });
});
