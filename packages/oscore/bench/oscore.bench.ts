/**
 * Protect + unprotect round trips (request and response) with AES-CCM-16-64-128.
 * Run: `cd packages/oscore && pnpm exec vitest bench --run` (sources resolved through the aliases).
 */
import { CoapCode, createMessage, MessageType, OptionNumber } from '@lwm2m-ts/codec';
import { bench, describe } from 'vitest';
import {
  hexToBytes,
  protectRequest,
  protectResponse,
  SecurityContext,
  unprotectRequest,
  unprotectResponse,
} from '../src/index';

const secret = hexToBytes('0102030405060708090a0b0c0d0e0f10');
const client = new SecurityContext({ masterSecret: secret, senderId: hexToBytes('00'), recipientId: hexToBytes('01') });
// A large window so the server accepts every request (the client's sequence only grows).
const server = new SecurityContext({ masterSecret: secret, senderId: hexToBytes('01'), recipientId: hexToBytes('00') });
const utf8 = new TextEncoder();
const request = createMessage({
  code: CoapCode.GET,
  token: hexToBytes('0102030405060708'),
  options: [
    { number: OptionNumber.URI_PATH, value: utf8.encode('3303') },
    { number: OptionNumber.URI_PATH, value: utf8.encode('0') },
    { number: OptionNumber.URI_PATH, value: utf8.encode('5700') },
  ],
});
const response = createMessage({
  type: MessageType.ACK,
  code: CoapCode.CONTENT,
  token: request.token,
  options: [{ number: OptionNumber.CONTENT_FORMAT, value: Uint8Array.of(0) }],
  payload: utf8.encode('21.5'),
});

describe('OSCORE', () => {
  bench('request + response round trip (protect + unprotect both ways)', () => {
    const { message, binding } = protectRequest(client, request);
    const r = unprotectRequest(server, message);
    if (!r.ok) throw r.error;
    const res = unprotectResponse(binding, protectResponse(r.binding, response));
    if (!res.ok) throw res.error;
  });

  bench('protect + unprotect one request', () => {
    const r = unprotectRequest(server, protectRequest(client, request).message);
    if (!r.ok) throw r.error;
  });
});
