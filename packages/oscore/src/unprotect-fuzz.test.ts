/** Property tests: arbitrary bytes on the wire never crash verification or change state. */
import { CoapCode, createMessage, OptionNumber } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h } from './bytes';
import { protectRequest, unprotectRequest } from './protect-request';
import { unprotectResponse } from './protect-response';
import { SecurityContext } from './security-context';

const secret = h('0102030405060708090a0b0c0d0e0f10');
const client = new SecurityContext({ masterSecret: secret, senderId: h('00'), recipientId: h('01') });
const server = new SecurityContext({ masterSecret: secret, senderId: h('01'), recipientId: h('00') });

describe('verification of arbitrary input', () => {
  it('unprotectRequest returns a failure value for any OSCORE option and payload, and never accepts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 64 }), (option, payload) => {
        const r = unprotectRequest(
          server,
          createMessage({ code: CoapCode.POST, options: [{ number: OptionNumber.OSCORE, value: option }], payload }),
        );
        expect(r.ok).toBe(false);
        if (!r.ok) expect([0x80, 0x81, 0x82]).toContain(r.error.responseCode);
      }),
    );
    expect(server.replayWindow.highest).toBe(-1);
  });

  it('unprotectResponse returns a failure value for any response and leaves the binding unchanged', () => {
    const { binding } = protectRequest(client, createMessage({ code: CoapCode.GET }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 64 }), (option, payload) => {
        const r = unprotectResponse(
          binding,
          createMessage({ code: CoapCode.CHANGED, options: [{ number: OptionNumber.OSCORE, value: option }], payload }),
        );
        expect(r.ok).toBe(false);
      }),
    );
    expect(binding.completed).toBe(false);
    expect(binding.requestNonceUsed).toBe(false);
  });
});
