import { CoapCode, createMessage, encodeUdp, MessageType } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { isNotification } from './counting-transport';

describe('isNotification', () => {
  it('is true only for CON/NON responses carrying Observe', () => {
    const hdr = (type: number, code: number, options: number[]) =>
      new Uint8Array([0x40 | (type << 4) | 2, code, 0x12, 0x34, 0xaa, 0xbb, ...options]);
    // Observe (6) = 5, then Content-Format (12) = 0
    expect(isNotification(hdr(1, 0x45, [0x61, 0x05, 0x60]))).toBe(true);
    expect(isNotification(hdr(0, 0x45, [0x61, 0x05]))).toBe(true);
    // piggybacked ACK with Observe: the first answer, not a notification
    expect(isNotification(hdr(2, 0x45, [0x61, 0x05]))).toBe(false);
    // a request (GET) with Observe: a registration, not a notification
    expect(isNotification(hdr(0, 0x01, [0x60]))).toBe(false);
    // a response with only Content-Format (12)
    expect(isNotification(hdr(1, 0x45, [0xc1, 0x00]))).toBe(false);
    // Uri-Host (3) before Observe: the delta sum reaches 6
    expect(isNotification(hdr(1, 0x45, [0x31, 0x61, 0x31, 0x05]))).toBe(true);
    expect(isNotification(new Uint8Array([0x50, 0x45]))).toBe(false);
  });

  it('agrees with the codec on an encoded notification', () => {
    const frame = encodeUdp(
      createMessage({
        type: MessageType.NON,
        code: CoapCode.CONTENT,
        messageId: 7,
        token: new Uint8Array([1, 2]),
        options: [
          { number: 6, value: new Uint8Array([3]) },
          { number: 12, value: new Uint8Array([0]) },
        ],
        payload: new TextEncoder().encode('21.5'),
      }),
    );
    expect(isNotification(frame)).toBe(true);
  });
});
