/** Round trips between a client and a server context: option classes, failures, replay. */
import { CoapCode, type CoapMessage, createMessage, getOption, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h, bytesToHex as hex } from './bytes';
import { SecurityContextRegistry } from './context-registry';
import { oscoreErrorResponse } from './error-responses';
import { encodeOscoreOption } from './oscore-option';
import { protectRequest, unprotectRequest } from './protect-request';
import { protectResponse, unprotectResponse } from './protect-response';
import { SecurityContext } from './security-context';

const utf8 = new TextEncoder();
const text = (s: string) => utf8.encode(s);
const secret = h('0102030405060708090a0b0c0d0e0f10');
const pair = (idContext?: Uint8Array) => ({
  client: new SecurityContext({
    masterSecret: secret,
    senderId: h('00'),
    recipientId: h('01'),
    ...(idContext ? { idContext } : {}),
  }),
  server: new SecurityContext({
    masterSecret: secret,
    senderId: h('01'),
    recipientId: h('00'),
    ...(idContext ? { idContext } : {}),
  }),
});
const opt = (number: number, value: Uint8Array | string = new Uint8Array(0)) => ({
  number,
  value: typeof value === 'string' ? text(value) : value,
});
const numbers = (m: CoapMessage) => m.options.map((o) => o.number);

const getRequest = createMessage({
  code: CoapCode.GET,
  messageId: 7,
  token: h('a1b2'),
  options: [
    opt(OptionNumber.URI_HOST, 'example.com'),
    opt(OptionNumber.URI_PATH, 'sensors'),
    opt(OptionNumber.URI_PATH, 'temp'),
    opt(OptionNumber.ACCEPT, Uint8Array.of(60)),
    opt(OptionNumber.BLOCK2, Uint8Array.of(0x02)),
  ],
});

describe('request protection', () => {
  it('keeps Class U options outer, moves the rest inside, and round-trips', () => {
    const { client, server } = pair();
    const { message } = protectRequest(client, getRequest);
    expect(message.code).toBe(CoapCode.POST);
    expect(numbers(message)).toEqual([OptionNumber.URI_HOST, OptionNumber.OSCORE]);
    expect(message.token).toEqual(getRequest.token);
    expect(message.messageId).toBe(7);
    const r = unprotectRequest(server, message);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.request).toEqual(getRequest);
  });

  it('Observe is sent both Inner and Outer with outer code FETCH', () => {
    const { client, server } = pair();
    const req = createMessage({
      code: CoapCode.GET,
      options: [opt(OptionNumber.OBSERVE), opt(OptionNumber.URI_PATH, 'x')],
    });
    const { message, binding } = protectRequest(client, req);
    expect(message.code).toBe(CoapCode.FETCH);
    expect(numbers(message)).toEqual([OptionNumber.OBSERVE, OptionNumber.OSCORE]);
    expect(binding.observe).toBe(true);
    const r = unprotectRequest(server, message);
    expect(r.ok && r.request).toEqual(req);
    expect(r.ok && r.binding.observe).toBe(true);
  });

  it('Proxy-Uri is decomposed: scheme+authority outer, path and query inner (§4.1.3.3)', () => {
    const { client, server } = pair();
    const req = createMessage({
      code: CoapCode.GET,
      options: [opt(OptionNumber.PROXY_URI, 'coap://example.com/resource?q=1')],
    });
    const { message } = protectRequest(client, req);
    expect(new TextDecoder().decode(getOption(message, OptionNumber.PROXY_URI))).toBe('coap://example.com');
    const r = unprotectRequest(server, message);
    if (!r.ok) throw r.error;
    expect(r.request.options.map((o) => [o.number, new TextDecoder().decode(o.value)])).toEqual([
      [OptionNumber.URI_PATH, 'resource'],
      [OptionNumber.URI_QUERY, 'q=1'],
      [OptionNumber.PROXY_URI, 'coap://example.com'],
    ]);
  });

  it('discards Class E outer options an intermediary added, keeps the inner ones', () => {
    const { client, server } = pair();
    const { message } = protectRequest(client, getRequest);
    const tampered = {
      ...message,
      options: [...message.options, opt(OptionNumber.URI_PATH, 'evil'), opt(OptionNumber.MAX_AGE)],
    };
    const r = unprotectRequest(server, tampered);
    expect(r.ok && r.request).toEqual(getRequest);
  });

  it('refuses to nest OSCORE', () => {
    const { client } = pair();
    const req = createMessage({ code: CoapCode.GET, options: [opt(OptionNumber.OSCORE, h('0900'))] });
    expect(() => protectRequest(client, req)).toThrow(/nested/);
    expect(client.senderSequenceNumber).toBe(0);
  });

  it('sends kid context when the context has an ID Context; the server matches on it', () => {
    const { client, server } = pair(h('abcdef'));
    const { message } = protectRequest(client, getRequest);
    expect(hex(getOption(message, OptionNumber.OSCORE)!)).toBe('190003abcdef00');
    const other = new SecurityContext({
      masterSecret: secret,
      senderId: h('01'),
      recipientId: h('00'),
      idContext: h('999999'),
    });
    const registry = new SecurityContextRegistry([other, server]);
    const r = unprotectRequest(registry, message);
    expect(r.ok && r.binding.context).toBe(server);
  });

  it('tries every context that shares a Recipient ID (§3.3)', () => {
    const { client, server } = pair();
    const decoy = new SecurityContext({ masterSecret: h('ffff'), senderId: h('01'), recipientId: h('00') });
    const r = unprotectRequest(
      new SecurityContextRegistry([decoy, server]),
      protectRequest(client, getRequest).message,
    );
    expect(r.ok && r.binding.context).toBe(server);
    expect(decoy.replayWindow.highest).toBe(-1);
  });
});

describe('request verification failures (no state change)', () => {
  const expectError = (r: ReturnType<typeof unprotectRequest>, kind: string, code: number, diagnostic?: string) => {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe(kind);
    expect(r.error.responseCode).toBe(code);
    if (diagnostic !== undefined) expect(r.error.diagnostic).toBe(diagnostic);
  };

  it('unknown kid -> 4.01 Security context not found', () => {
    const { client } = pair();
    const stranger = new SecurityContext({ masterSecret: secret, senderId: h('01'), recipientId: h('42') });
    expectError(
      unprotectRequest(stranger, protectRequest(client, getRequest).message),
      'context-not-found',
      0x81,
      'Security context not found',
    );
    expectError(
      unprotectRequest(new SecurityContextRegistry(), protectRequest(client, getRequest).message),
      'context-not-found',
      0x81,
    );
  });

  it('kid context that matches no context -> 4.01', () => {
    const { client, server } = pair(h('abcdef'));
    const plain = new SecurityContext({ masterSecret: secret, senderId: h('01'), recipientId: h('00') });
    expect(server.idContext).toBeDefined();
    expectError(unprotectRequest(plain, protectRequest(client, getRequest).message), 'context-not-found', 0x81);
  });

  it('tampered ciphertext -> 4.00 Decryption failed, window untouched, genuine copy still accepted', () => {
    const { client, server } = pair();
    const { message } = protectRequest(client, getRequest);
    const payload = message.payload.slice();
    payload[0]! ^= 0x80;
    expectError(unprotectRequest(server, { ...message, payload }), 'decryption-failed', 0x80, 'Decryption failed');
    expect(server.replayWindow.highest).toBe(-1);
    expect(unprotectRequest(server, message).ok).toBe(true);
  });

  it('wrong keys -> 4.00', () => {
    const { client } = pair();
    const wrong = new SecurityContext({ masterSecret: h('0badc0de'), senderId: h('01'), recipientId: h('00') });
    expectError(unprotectRequest(wrong, protectRequest(client, getRequest).message), 'decryption-failed', 0x80);
  });

  it('replay -> 4.01 Replay detected', () => {
    const { client, server } = pair();
    const { message } = protectRequest(client, getRequest);
    expect(unprotectRequest(server, message).ok).toBe(true);
    expectError(unprotectRequest(server, message), 'replay', 0x81, 'Replay detected');
  });

  it('too old for the window -> 4.01 Replay detected', () => {
    const { client, server } = pair();
    const old = protectRequest(client, getRequest).message;
    client.senderSequenceNumber = 100;
    expect(unprotectRequest(server, protectRequest(client, getRequest).message).ok).toBe(true);
    expectError(unprotectRequest(server, old), 'replay', 0x81);
  });

  it('malformed OSCORE option -> 4.02; missing kid or Partial IV -> 4.02; missing ciphertext -> 4.02', () => {
    const { client, server } = pair();
    const { message } = protectRequest(client, getRequest);
    const withOption = (value: Uint8Array) => ({
      ...message,
      options: message.options.map((o) => (o.number === OptionNumber.OSCORE ? { number: o.number, value } : o)),
    });
    expectError(unprotectRequest(server, withOption(h('2900'))), 'decode-failed', 0x82, 'Failed to decode COSE');
    expectError(
      unprotectRequest(server, withOption(encodeOscoreOption({ partialIv: h('00') }))),
      'decode-failed',
      0x82,
    );
    expectError(unprotectRequest(server, withOption(encodeOscoreOption({ kid: h('00') }))), 'decode-failed', 0x82);
    expectError(unprotectRequest(server, { ...message, payload: new Uint8Array(0) }), 'decode-failed', 0x82);
    expectError(
      unprotectRequest(server, { ...message, options: [...message.options, opt(OptionNumber.OSCORE, h('0900'))] }),
      'decode-failed',
      0x82,
    );
    expect(server.replayWindow.highest).toBe(-1);
  });

  it('no OSCORE option -> not-protected', () => {
    const { server } = pair();
    expectError(unprotectRequest(server, getRequest), 'not-protected', 0x81);
  });

  it('oscoreErrorResponse: piggybacked, Outer Max-Age 0, diagnostic payload', () => {
    const { client, server } = pair();
    const { message } = protectRequest(client, getRequest);
    expect(unprotectRequest(server, message).ok).toBe(true);
    const r = unprotectRequest(server, message);
    if (r.ok) throw new Error('expected replay');
    const res = oscoreErrorResponse(message, r.error);
    expect(res).toMatchObject({
      type: MessageType.ACK,
      messageId: 7,
      code: CoapCode.UNAUTHORIZED,
      token: message.token,
    });
    expect(res.options).toEqual([{ number: OptionNumber.MAX_AGE, value: new Uint8Array(0) }]);
    expect(new TextDecoder().decode(res.payload)).toBe('Replay detected');
  });
});

describe('response protection', () => {
  const content = createMessage({
    type: MessageType.ACK,
    messageId: 7,
    token: h('a1b2'),
    code: CoapCode.CONTENT,
    options: [opt(OptionNumber.CONTENT_FORMAT, Uint8Array.of(0)), opt(OptionNumber.MAX_AGE, Uint8Array.of(30))],
    payload: text('21.5'),
  });

  const exchange = () => {
    const { client, server } = pair();
    const { message, binding: clientBinding } = protectRequest(client, getRequest);
    const r = unprotectRequest(server, message);
    if (!r.ok) throw r.error;
    return { client, server, clientBinding, serverBinding: r.binding };
  };

  it('outer code 2.04, inner Max-Age, round-trips and binds to the request', () => {
    const { clientBinding, serverBinding } = exchange();
    const out = protectResponse(serverBinding, content);
    expect(out.code).toBe(CoapCode.CHANGED);
    expect(numbers(out)).toEqual([OptionNumber.OSCORE]);
    expect(getOption(out, OptionNumber.OSCORE)).toEqual(new Uint8Array(0));
    const back = unprotectResponse(clientBinding, out);
    expect(back.ok && back.response).toEqual(content);
    // Only one response per request is accepted.
    const again = unprotectResponse(clientBinding, out);
    expect(!again.ok && again.error.kind).toBe('unexpected-response');
  });

  it('a response is not accepted for a different request (binding)', () => {
    const a = exchange();
    const { message, binding: otherBinding } = protectRequest(a.client, getRequest);
    expect(unprotectRequest(a.server, message).ok).toBe(true);
    const res = protectResponse(a.serverBinding, content);
    const r = unprotectResponse(otherBinding, res);
    expect(!r.ok && r.error.kind).toBe('decryption-failed');
    expect(unprotectResponse(a.clientBinding, res).ok).toBe(true);
  });

  it('never encrypts two responses with the request nonce: the second gets a Partial IV', () => {
    const { server, serverBinding } = exchange();
    const first = protectResponse(serverBinding, content);
    const second = protectResponse(serverBinding, content);
    expect(getOption(first, OptionNumber.OSCORE)!.length).toBe(0);
    expect(hex(getOption(second, OptionNumber.OSCORE)!)).toBe('0100');
    expect(server.senderSequenceNumber).toBe(1);
  });

  it('a response without OSCORE option is reported as not-protected', () => {
    const { clientBinding } = exchange();
    const r = unprotectResponse(clientBinding, content);
    expect(!r.ok && r.error.kind).toBe('not-protected');
  });
});
