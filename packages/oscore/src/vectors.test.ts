/** RFC 8613 Appendix C test vectors, byte for byte. */
import { decodeUdp, encodeUdp } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { computeAad, encodeAadArray } from './aad';
import { AES_CCM_16_64_128 } from './aead';
import { bytesToHex, hexToBytes as h } from './bytes';
import { encodeHkdfInfo } from './key-derivation';
import { computeNonce } from './nonce';
import { protectRequest, unprotectRequest } from './protect-request';
import { protectResponse, unprotectResponse } from './protect-response';
import { SecurityContext } from './security-context';

const secret = h('0102030405060708090a0b0c0d0e0f10');
const salt = h('9e7ca92223786340');
const idCtx = h('37cbf3210017a2d3');
const hex = bytesToHex;
const PIV0 = Uint8Array.of(0);

describe('C.1-C.3 key derivation', () => {
  const cases = [
    {
      name: 'C.1.1 client',
      input: { masterSecret: secret, masterSalt: salt, senderId: h(''), recipientId: h('01') },
      senderInfo: '8540f60a634b657910',
      recipientInfo: '854101f60a634b657910',
      ivInfo: '8540f60a6249560d',
      senderKey: 'f0910ed7295e6ad4b54fc793154302ff',
      recipientKey: 'ffb14e093c94c9cac9471648b4f98710',
      commonIv: '4622d4dd6d944168eefb54987c',
      senderNonce: '4622d4dd6d944168eefb54987c',
      recipientNonce: '4722d4dd6d944169eefb54987c',
    },
    {
      name: 'C.1.2 server',
      input: { masterSecret: secret, masterSalt: salt, senderId: h('01'), recipientId: h('') },
      senderInfo: '854101f60a634b657910',
      recipientInfo: '8540f60a634b657910',
      ivInfo: '8540f60a6249560d',
      senderKey: 'ffb14e093c94c9cac9471648b4f98710',
      recipientKey: 'f0910ed7295e6ad4b54fc793154302ff',
      commonIv: '4622d4dd6d944168eefb54987c',
      senderNonce: '4722d4dd6d944169eefb54987c',
      recipientNonce: '4622d4dd6d944168eefb54987c',
    },
    {
      name: 'C.2.1 client',
      input: { masterSecret: secret, senderId: h('00'), recipientId: h('01') },
      senderInfo: '854100f60a634b657910',
      recipientInfo: '854101f60a634b657910',
      ivInfo: '8540f60a6249560d',
      senderKey: '321b26943253c7ffb6003b0b64d74041',
      recipientKey: 'e57b5635815177cd679ab4bcec9d7dda',
      commonIv: 'be35ae297d2dace910c52e99f9',
      senderNonce: 'bf35ae297d2dace910c52e99f9',
      recipientNonce: 'bf35ae297d2dace810c52e99f9',
    },
    {
      name: 'C.2.2 server',
      input: { masterSecret: secret, senderId: h('01'), recipientId: h('00') },
      senderInfo: '854101f60a634b657910',
      recipientInfo: '854100f60a634b657910',
      ivInfo: '8540f60a6249560d',
      senderKey: 'e57b5635815177cd679ab4bcec9d7dda',
      recipientKey: '321b26943253c7ffb6003b0b64d74041',
      commonIv: 'be35ae297d2dace910c52e99f9',
      senderNonce: 'bf35ae297d2dace810c52e99f9',
      recipientNonce: 'bf35ae297d2dace910c52e99f9',
    },
    {
      name: 'C.3.1 client',
      input: { masterSecret: secret, masterSalt: salt, senderId: h(''), recipientId: h('01'), idContext: idCtx },
      senderInfo: '85404837cbf3210017a2d30a634b657910',
      recipientInfo: '8541014837cbf3210017a2d30a634b657910',
      ivInfo: '85404837cbf3210017a2d30a6249560d',
      senderKey: 'af2a1300a5e95788b356336eeecd2b92',
      recipientKey: 'e39a0c7c77b43f03b4b39ab9a268699f',
      commonIv: '2ca58fb85ff1b81c0b7181b85e',
      senderNonce: '2ca58fb85ff1b81c0b7181b85e',
      recipientNonce: '2da58fb85ff1b81d0b7181b85e',
    },
    {
      name: 'C.3.2 server',
      input: { masterSecret: secret, masterSalt: salt, senderId: h('01'), recipientId: h(''), idContext: idCtx },
      senderInfo: '8541014837cbf3210017a2d30a634b657910',
      recipientInfo: '85404837cbf3210017a2d30a634b657910',
      ivInfo: '85404837cbf3210017a2d30a6249560d',
      senderKey: 'e39a0c7c77b43f03b4b39ab9a268699f',
      recipientKey: 'af2a1300a5e95788b356336eeecd2b92',
      commonIv: '2ca58fb85ff1b81c0b7181b85e',
      senderNonce: '2da58fb85ff1b81d0b7181b85e',
      recipientNonce: '2ca58fb85ff1b81c0b7181b85e',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ctx = new SecurityContext(c.input);
      const alg = AES_CCM_16_64_128;
      expect(hex(encodeHkdfInfo(ctx.senderId, ctx.idContext, alg, 'Key', 16))).toBe(c.senderInfo);
      expect(hex(encodeHkdfInfo(ctx.recipientId, ctx.idContext, alg, 'Key', 16))).toBe(c.recipientInfo);
      expect(hex(encodeHkdfInfo(new Uint8Array(0), ctx.idContext, alg, 'IV', 13))).toBe(c.ivInfo);
      expect(hex(ctx.senderKey)).toBe(c.senderKey);
      expect(hex(ctx.recipientKey)).toBe(c.recipientKey);
      expect(hex(ctx.commonIv)).toBe(c.commonIv);
      expect(hex(computeNonce(ctx.commonIv, ctx.senderId, PIV0))).toBe(c.senderNonce);
      expect(hex(computeNonce(ctx.commonIv, ctx.recipientId, PIV0))).toBe(c.recipientNonce);
    });
  }
});

describe('§5.4 AAD example', () => {
  it('request_kid 0x00, request_piv 0x25', () => {
    expect(hex(encodeAadArray(AES_CCM_16_64_128, h('00'), h('25')))).toBe('8501810a4100412540');
    expect(hex(computeAad(AES_CCM_16_64_128, h('00'), h('25')))).toBe('8368456e63727970743040498501810a4100412540');
  });
});

const c1Client = () =>
  new SecurityContext({ masterSecret: secret, masterSalt: salt, senderId: h(''), recipientId: h('01') });
const c1Server = () =>
  new SecurityContext({ masterSecret: secret, masterSalt: salt, senderId: h('01'), recipientId: h('') });

const requestVectors = [
  {
    name: 'C.4 (context C.1)',
    client: c1Client,
    server: c1Server,
    unprotected: '44015d1f00003974396c6f63616c686f737483747631',
    aad: '8368456e63727970743040488501810a40411440',
    protected: '44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825e',
  },
  {
    name: 'C.5 (context C.2)',
    client: () => new SecurityContext({ masterSecret: secret, senderId: h('00'), recipientId: h('01') }),
    server: () => new SecurityContext({ masterSecret: secret, senderId: h('01'), recipientId: h('00') }),
    unprotected: '440171c30000b932396c6f63616c686f737483747631',
    aad: '8368456e63727970743040498501810a4100411440',
    protected: '440271c30000b932396c6f63616c686f737463091400ff4ed339a5a379b0b8bc731fffb0',
  },
  {
    name: 'C.6 (context C.3, kid context sent)',
    client: () =>
      new SecurityContext({
        masterSecret: secret,
        masterSalt: salt,
        senderId: h(''),
        recipientId: h('01'),
        idContext: idCtx,
      }),
    server: () =>
      new SecurityContext({
        masterSecret: secret,
        masterSalt: salt,
        senderId: h('01'),
        recipientId: h(''),
        idContext: idCtx,
      }),
    unprotected: '44012f8eef9bbf7a396c6f63616c686f737483747631',
    aad: '8368456e63727970743040488501810a40411440',
    protected: '44022f8eef9bbf7a396c6f63616c686f73746b19140837cbf3210017a2d3ff72cd7273fd331ac45cffbe55c3',
  },
];

describe('C.4-C.6 protected requests', () => {
  for (const v of requestVectors) {
    it(`${v.name}: client protects byte for byte`, () => {
      const client = v.client();
      client.senderSequenceNumber = 20;
      const { message, binding } = protectRequest(client, decodeUdp(h(v.unprotected)));
      expect(hex(encodeUdp(message))).toBe(v.protected);
      expect(hex(computeAad(client.algorithm, binding.requestKid, binding.requestPiv))).toBe(v.aad);
      expect(client.senderSequenceNumber).toBe(21);
    });
    it(`${v.name}: server verifies and restores the original request`, () => {
      const server = v.server();
      const result = unprotectRequest(server, decodeUdp(h(v.protected)));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(hex(encodeUdp(result.request))).toBe(v.unprotected);
      expect(hex(result.binding.requestPiv)).toBe('14');
    });
  }
});

describe('C.7-C.8 protected responses (to the C.4 request)', () => {
  const unprotectedResponse = '64455d1f00003974ff48656c6c6f20576f726c6421';
  const c7 = '64445d1f0000397490ffdbaad1e9a7e7b2a813d3c31524378303cdafae119106';
  const c8 = '64445d1f00003974920100ff4d4c13669384b67354b2b6175ff4b8658c666a6cf88e';

  const exchange = () => {
    const client = c1Client();
    client.senderSequenceNumber = 20;
    const { binding: clientBinding } = protectRequest(client, decodeUdp(h(requestVectors[0]!.unprotected)));
    const server = c1Server();
    const verified = unprotectRequest(server, decodeUdp(h(requestVectors[0]!.protected)));
    if (!verified.ok) throw verified.error;
    return { server, serverBinding: verified.binding, clientBinding };
  };

  it('C.7: response without Partial IV (request nonce reused)', () => {
    const { server, serverBinding, clientBinding } = exchange();
    server.senderSequenceNumber = 0;
    const out = protectResponse(serverBinding, decodeUdp(h(unprotectedResponse)));
    expect(hex(encodeUdp(out))).toBe(c7);
    expect(server.senderSequenceNumber).toBe(0);
    const back = unprotectResponse(clientBinding, decodeUdp(h(c7)));
    expect(back.ok && hex(encodeUdp(back.response))).toBe(unprotectedResponse);
  });

  it('C.8: response with Partial IV 0', () => {
    const { server, serverBinding, clientBinding } = exchange();
    server.senderSequenceNumber = 0;
    const out = protectResponse(serverBinding, decodeUdp(h(unprotectedResponse)), { partialIv: true });
    expect(hex(encodeUdp(out))).toBe(c8);
    expect(server.senderSequenceNumber).toBe(1);
    const back = unprotectResponse(clientBinding, decodeUdp(h(c8)));
    expect(back.ok && hex(encodeUdp(back.response))).toBe(unprotectedResponse);
  });

  it('a tampered ciphertext byte fails verification on either side', () => {
    const { clientBinding } = exchange();
    const bad = h(c7);
    bad[bad.length - 1]! ^= 1;
    const r = unprotectResponse(clientBinding, decodeUdp(bad));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe('decryption-failed');
  });
});
