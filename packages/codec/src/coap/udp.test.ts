import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { CoapCode, createMessage, MessageType } from './message';
import { OptionNumber } from './option-numbers';
import { encodeUint } from './option-values';
import { createOption, getContentFormat, getStringOption, getUriPath, getUriQuery } from './options';
import { decodeOptionsAndPayload, encodeOptionsAndPayload } from './options-codec';
import { decodeUdp, encodeUdp } from './udp';

const hex = (s: string) =>
  Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => Number.parseInt(b, 16)));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);

const expectCodecError = (fn: () => unknown, offset?: number) => {
  try {
    fn();
  } catch (e) {
    expect(CodecError.isInstance(e)).toBe(true);
    if (offset !== undefined) expect((e as CodecError).offset).toBe(offset);
    return;
  }
  throw new Error('expected a CodecError');
};

describe('UDP framing (RFC 7252)', () => {
  it('encodes the RFC 7252 Appendix A style GET /temperature (CON, MID 0x7d34, no token)', () => {
    const msg = createMessage({
      type: MessageType.CON,
      code: CoapCode.GET,
      messageId: 0x7d34,
      options: [createOption(OptionNumber.URI_PATH, 'temperature')],
    });
    const bytes = encodeUdp(msg);
    expect(toHex(bytes)).toBe(`40017d34bb${toHex(ascii('temperature'))}`);
    const back = decodeUdp(bytes);
    expect(getUriPath(back)).toEqual(['temperature']);
    expect(back.messageId).toBe(0x7d34);
  });

  it('encodes a piggybacked 2.05 with token and payload (RFC 7252 Figure 4 shape)', () => {
    const msg = createMessage({
      type: MessageType.ACK,
      code: CoapCode.CONTENT,
      messageId: 0x7d34,
      token: hex('71'),
      payload: ascii('22.3 C'),
    });
    expect(toHex(encodeUdp(msg))).toBe(`61457d3471ff${toHex(ascii('22.3 C'))}`);
  });

  it('encodes an empty ACK and a RST as 4 bytes', () => {
    expect(toHex(encodeUdp(createMessage({ type: MessageType.ACK, code: 0, messageId: 0x1234 })))).toBe('60001234');
    expect(toHex(encodeUdp(createMessage({ type: MessageType.RST, code: 0, messageId: 1 })))).toBe('70000001');
  });

  it('uses the 13 and 14 extended delta/length forms', () => {
    const long = new Uint8Array(300).fill(0x61);
    const opts = [
      createOption(OptionNumber.SIZE1, 1), // delta 60 -> 13 form
      createOption(OptionNumber.ECHO, new Uint8Array(13).fill(1)), // delta 192 -> 13, length 13 -> 13 form
      createOption(OptionNumber.REQUEST_TAG, new Uint8Array(0)), // delta 40 -> 13 form
      createOption(1000, long), // delta 708 -> 14 form, length 300 -> 14 form
    ];
    const bytes = encodeOptionsAndPayload(opts, new Uint8Array(0));
    expect(toHex(bytes.subarray(0, 3))).toBe('d12f01'); // 60 = 13 + 47
    expect(toHex(bytes.subarray(3, 6))).toBe('ddb300'); // delta 192 = 13+179, len 13 = 13+0
    const back = decodeOptionsAndPayload(bytes, 0);
    expect(back.options.map((o) => o.number)).toEqual([60, 252, 292, 1000]);
    expect(back.options[3]!.value.length).toBe(300);
    // 14 form: delta 708-269 = 439 = 0x01b7; length 300-269 = 31 = 0x001f
    const at = bytes.length - 300 - 5;
    expect(toHex(bytes.subarray(at, at + 5))).toBe('ee01b7001f');
  });

  it('sorts options by number on encode, stably', () => {
    const msg = createMessage({
      code: CoapCode.GET,
      options: [
        createOption(OptionNumber.URI_QUERY, 'b=1'),
        createOption(OptionNumber.URI_PATH, 'a'),
        createOption(OptionNumber.URI_QUERY, 'a=2'),
        createOption(OptionNumber.URI_PATH, 'b'),
        createOption(OptionNumber.CONTENT_FORMAT, 40),
      ],
    });
    const back = decodeUdp(encodeUdp(msg));
    expect(getUriPath(back)).toEqual(['a', 'b']);
    expect(getUriQuery(back)).toEqual(['b=1', 'a=2']);
    expect(getContentFormat(back)).toBe(40);
  });

  it('rejects malformed messages with CodecError and an offset', () => {
    expectCodecError(() => decodeUdp(hex('4001')), 2); // short
    expectCodecError(() => decodeUdp(hex('80010000')), 0); // version 2
    expectCodecError(() => decodeUdp(hex('49010000')), 0); // TKL 9
    expectCodecError(() => decodeUdp(hex('42010000aa')), 4); // token past end
    expectCodecError(() => decodeUdp(hex('40010000ff')), 4); // marker with no payload
    expectCodecError(() => decodeUdp(hex('40010000f0')), 4); // delta 15
    expectCodecError(() => decodeUdp(hex('400100000f')), 4); // length 15
    expectCodecError(() => decodeUdp(hex('40010000d1')), 4); // truncated ext delta
    expectCodecError(() => decodeUdp(hex('40010000b4616263')), 4); // value past the end
    expectCodecError(() => decodeUdp(hex('60000000ff00')), 4); // empty message with payload
    expectCodecError(() => encodeUdp(createMessage({ code: 1, token: new Uint8Array(9) })));
    expectCodecError(() => decodeOptionsAndPayload(hex('e0fefe'), 0)); // number 65535+... > 65535
  });

  it('decodes string options as UTF-8', () => {
    const msg = createMessage({ code: 1, options: [createOption(OptionNumber.URI_HOST, 'ünï.example')] });
    expect(getStringOption(decodeUdp(encodeUdp(msg)), OptionNumber.URI_HOST)).toBe('ünï.example');
  });

  it('encodes uints minimally', () => {
    expect(toHex(encodeUint(0))).toBe('');
    expect(toHex(encodeUint(1))).toBe('01');
    expect(toHex(encodeUint(256))).toBe('0100');
    expect(toHex(encodeUint(0xffffff))).toBe('ffffff');
    expect(toHex(encodeUint(0x100000000))).toBe('0100000000');
  });
});

describe('UDP framing limits', () => {
  it('encodes option number 65535 with the 14 form and accepts Buffer input', () => {
    const bytes = encodeOptionsAndPayload([createOption(65535, Uint8Array.of(1))]);
    expect(toHex(bytes)).toBe('e1fef201');
    const msg = decodeUdp(Buffer.from(encodeUdp(createMessage({ code: 1, options: [createOption(65535)] }))));
    expect(msg.options[0]!.number).toBe(65535);
  });

  it('decodes a megabyte of random bytes in bounded time', () => {
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    big[0] = 0x40;
    const start = performance.now();
    for (let k = 0; k < 20; k++) {
      try {
        decodeUdp(big.subarray(k));
      } catch (e) {
        expect(CodecError.isInstance(e)).toBe(true);
      }
    }
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
