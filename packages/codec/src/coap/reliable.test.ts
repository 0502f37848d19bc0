import { describe, expect, it } from 'vitest';
import { CodecError } from '../codec-error';
import { decodeBlock, encodeBlock } from './block';
import { CoapCode, createMessage } from './message';
import { OptionNumber } from './option-numbers';
import { createOption, getUriPath } from './options';
import { decodeReliable, encodeReliable, reliableFrameLength } from './reliable';
import { createAbort, createCsm, createPing, createRelease, readAbort, readCsm, readRelease } from './signaling';

const hex = (s: string) =>
  Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => Number.parseInt(b, 16)));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('reliable framing (RFC 8323)', () => {
  it('encodes Len 0..12 in the first nibble (§3.2 Figure 7)', () => {
    // GET /3 with token 0x01: options = 0xb1 0x33 (2 bytes)
    const msg = createMessage({
      code: CoapCode.GET,
      token: hex('01'),
      options: [createOption(OptionNumber.URI_PATH, '3')],
    });
    expect(toHex(encodeReliable(msg, 'tcp'))).toBe('210101b133');
    expect(toHex(encodeReliable(msg, 'ws'))).toBe('010101b133');
    expect(getUriPath(decodeReliable(hex('210101b133'), 'tcp'))).toEqual(['3']);
    expect(getUriPath(decodeReliable(hex('010101b133'), 'ws'))).toEqual(['3']);
  });

  it('uses Len 13 / 14 / 15 with 8 / 16 / 32-bit extended length (§3.2 Figures 8-10)', () => {
    const frame = (n: number) =>
      encodeReliable(createMessage({ code: CoapCode.CONTENT, payload: new Uint8Array(n) }), 'tcp');
    // payload n bytes -> body n+1 (marker)
    const f13 = frame(12); // body 13 -> Len 13, ext 0
    expect(toHex(f13.subarray(0, 3))).toBe('d00045');
    const f269 = frame(268); // body 269 -> Len 14, ext 0x0000
    expect(toHex(f269.subarray(0, 4))).toBe('e0000045');
    const f65805 = frame(65804); // body 65805 -> Len 15, ext 0x00000000
    expect(toHex(f65805.subarray(0, 6))).toBe('f00000000045');
    for (const f of [f13, f269, f65805]) {
      expect(reliableFrameLength(f)).toBe(f.length);
      expect(decodeReliable(f, 'tcp').payload.length).toBe(f.length - (f === f13 ? 4 : f === f269 ? 5 : 7));
    }
  });

  it('reports undefined until the length header is complete', () => {
    expect(reliableFrameLength(new Uint8Array(0))).toBeUndefined();
    expect(reliableFrameLength(hex('e0'))).toBeUndefined();
    expect(reliableFrameLength(hex('e000'))).toBeUndefined();
    expect(reliableFrameLength(hex('e00000'))).toBe(2 + 2 + 269);
    expect(() => reliableFrameLength(hex('09'))).toThrow(CodecError);
  });

  it('rejects length mismatches and non-zero Len on WebSockets', () => {
    expect(() => decodeReliable(hex('2101'), 'tcp')).toThrow(CodecError);
    expect(() => decodeReliable(hex('0001ff'), 'tcp')).toThrow(CodecError);
    expect(() => decodeReliable(hex('10010a'), 'ws')).toThrow(CodecError);
  });

  it('encodes signaling messages (§5)', () => {
    const csm = createCsm({ maxMessageSize: 8192, blockWiseTransfer: true });
    // Max-Message-Size (2) = 0x2000, Block-Wise-Transfer (4) empty: 22 2000 20
    expect(toHex(encodeReliable(csm, 'tcp'))).toBe('40e122200020');
    expect(readCsm(decodeReliable(hex('40e122200020'), 'tcp'))).toEqual({
      maxMessageSize: 8192,
      blockWiseTransfer: true,
    });
    expect(toHex(encodeReliable(createPing(true), 'tcp'))).toBe('10e220');
    const rel = decodeReliable(
      encodeReliable(createRelease({ alternativeAddresses: ['coap+tcp://h'], holdOff: 30 }), 'ws'),
      'ws',
    );
    expect(readRelease(rel)).toEqual({ alternativeAddresses: ['coap+tcp://h'], holdOff: 30 });
    const abort = decodeReliable(encodeReliable(createAbort({ badCsmOption: 2, diagnostic: 'bad' }), 'tcp'), 'tcp');
    expect(readAbort(abort)).toEqual({ badCsmOption: 2, diagnostic: 'bad' });
  });
});

describe('Block option (RFC 7959 §2.2)', () => {
  it('encodes num/more/szx minimally and decodes sizes', () => {
    expect(toHex(encodeBlock({ num: 0, more: false, szx: 0 }))).toBe('');
    expect(toHex(encodeBlock({ num: 0, more: true, szx: 6 }))).toBe('0e');
    expect(toHex(encodeBlock({ num: 1, more: true, szx: 2 }))).toBe('1a');
    expect(toHex(encodeBlock({ num: 0xfffff, more: false, szx: 6 }))).toBe('fffff6');
    expect(decodeBlock(hex('1a'))).toEqual({ num: 1, more: true, szx: 2, size: 64, bert: false });
    expect(decodeBlock(hex('2f'))).toEqual({ num: 2, more: true, szx: 7, size: 1024, bert: true });
    expect(decodeBlock(new Uint8Array(0)).size).toBe(16);
    expect(() => decodeBlock(hex('01020304'))).toThrow(CodecError);
    expect(() => encodeBlock({ num: 0x100000, more: false, szx: 0 })).toThrow(CodecError);
  });
});

describe('signaling option registries', () => {
  it('scopes option numbers to the signaling code', async () => {
    const { signalingOptionRegistry } = await import('./signaling');
    const csm = signalingOptionRegistry(CoapCode.CSM);
    expect(csm.nameOf(2)).toBe('Max-Message-Size');
    expect(csm.check(createCsm({ maxMessageSize: 1152, blockWiseTransfer: true }).options)).toBeUndefined();
    expect(csm.check([createOption(3)])).toMatchObject({ option: 3, critical: true });
    expect(signalingOptionRegistry(CoapCode.RELEASE).nameOf(4)).toBe('Hold-Off');
  });
});
