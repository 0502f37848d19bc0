/** RFC 8613 §8.3 (protect a response) and §8.4 (verify a response), with Observe (§8.3.1, §8.4.2). */
import { CoapCode, type CoapMessage, encodeUint, isResponseCode, OptionNumber } from '@lwm2m-ts/codec';
import { aeadDecrypt, aeadEncrypt } from './aead';
import { computeNonce, decodePartialIv, encodePartialIv } from './nonce';
import { mergeOptions, splitOptions, withOscoreOption } from './option-classes';
import { OscoreError } from './oscore-error';
import { decodeOscoreOption, encodeOscoreOption } from './oscore-option';
import { decodePlaintext, encodePlaintext } from './plaintext';
import { getOscoreOption } from './protect-request';
import type { RequestBinding } from './request-binding';

export interface ProtectResponseOptions {
  /**
   * Include a fresh Partial IV (own nonce) instead of reusing the request nonce. Forced when
   * required: every notification after the first, and any second response to one request (the
   * request nonce may encrypt one response only).
   */
  readonly partialIv?: boolean;
  /** 'kid context' to send in the response (Appendix B.2 response #1 carries R2). */
  readonly kidContext?: Uint8Array;
}

/** The OSCORE option of a response that reuses the request nonce: empty (§6.1). */
const EMPTY_OPTION = new Uint8Array(0);

/** Protects a response to the request `binding` came from (server side, §8.3). */
export function protectResponse(
  binding: RequestBinding,
  response: CoapMessage,
  options: ProtectResponseOptions = {},
): CoapMessage {
  if (!isResponseCode(response.code)) {
    throw new RangeError(`protectResponse: code 0x${response.code.toString(16)} is not a response`);
  }
  const ctx = binding.context;
  const { inner, outer } = splitOptions(response.options, 'response');
  const notification = outer.some((o) => o.number === OptionNumber.OBSERVE);
  const usePiv = options.partialIv === true || binding.requestNonceUsed || (notification && binding.responsesSent > 0);
  const plaintext = encodePlaintext(response.code, inner, response.payload);
  let nonce = binding.requestNonce;
  let piv: Uint8Array | undefined;
  if (usePiv) {
    piv = encodePartialIv(ctx.sequence.allocate());
    nonce = computeNonce(ctx.commonIv, ctx.senderId, piv);
  }
  const ciphertext = aeadEncrypt(ctx.algorithm, ctx.senderCipherKey, nonce, binding.aad, plaintext);
  if (!usePiv) binding.requestNonceUsed = true;
  binding.responsesSent++;
  return {
    type: response.type,
    messageId: response.messageId,
    token: response.token,
    // §4.2 / §4.1.3.5: 2.04 Changed, or 2.05 Content for notifications.
    code: notification ? CoapCode.CONTENT : CoapCode.CHANGED,
    options: withOscoreOption(
      outer,
      piv || options.kidContext
        ? encodeOscoreOption({
            ...(piv ? { partialIv: piv } : {}),
            ...(options.kidContext ? { kidContext: options.kidContext } : {}),
          })
        : EMPTY_OPTION,
    ),
    payload: ciphertext,
  };
}

export type UnprotectResponseResult =
  | {
      readonly ok: true;
      readonly response: CoapMessage;
      /** The response is an Observe notification (Inner Observe present). */
      readonly notification: boolean;
    }
  | { readonly ok: false; readonly error: OscoreError };

const fail = (error: OscoreError): UnprotectResponseResult => ({ ok: false, error });

/**
 * Verifies and decrypts a response to the request `binding` came from (client side, §8.4).
 * Notifications must carry increasing Partial IVs (§7.4.1); the restored Observe value is
 * (Partial IV + 1) mod 2^24 (§4.1.3.5.2), 0 for a first notification without Partial IV.
 */
export function unprotectResponse(binding: RequestBinding, response: CoapMessage): UnprotectResponseResult {
  let header: ReturnType<typeof decodeOscoreOption>;
  try {
    const value = getOscoreOption(response);
    if (value === undefined) return fail(new OscoreError('not-protected', 'response has no OSCORE option'));
    header = decodeOscoreOption(value);
  } catch (err) {
    if (OscoreError.isInstance(err)) return fail(err);
    throw err;
  }
  if (response.payload.length === 0) return fail(new OscoreError('decode-failed', 'response has no ciphertext'));
  if (binding.completed) return fail(new OscoreError('unexpected-response', 'request already answered'));
  const ctx = binding.context;
  const piv = header.partialIv;
  if (!piv && binding.requestNonceUsed) {
    return fail(new OscoreError('unexpected-response', 'second response without Partial IV'));
  }
  const nonce = piv ? computeNonce(ctx.commonIv, ctx.recipientId, piv) : binding.requestNonce;
  const plaintext = aeadDecrypt(ctx.algorithm, ctx.recipientCipherKey, nonce, binding.aad, response.payload);
  if (!plaintext) return fail(new OscoreError('decryption-failed'));
  let decoded: ReturnType<typeof decodePlaintext>;
  try {
    decoded = decodePlaintext(plaintext);
  } catch (err) {
    if (OscoreError.isInstance(err)) return fail(err);
    throw err;
  }
  if (!isResponseCode(decoded.code))
    return fail(new OscoreError('malformed-plaintext', 'decrypted code is not a response code'));
  let inner = decoded.options;
  const notification = inner.some((o) => o.number === OptionNumber.OBSERVE);
  let seq: number | undefined;
  if (notification) {
    if (!binding.observe) return fail(new OscoreError('unexpected-response', 'notification for a non-Observe request'));
    if (piv) {
      seq = decodePartialIv(piv);
      if (binding.notificationNumber !== undefined && seq <= binding.notificationNumber) {
        return fail(new OscoreError('replay', 'stale or replayed notification'));
      }
    } else if (binding.notificationNumber !== undefined) {
      // The notification without Partial IV is the oldest one: never accepted after a newer one.
      return fail(new OscoreError('replay', 'notification without Partial IV after newer ones'));
    }
    // §4.1.3.5.2: the Observe value the application sees follows the Partial IV (low 3 bytes), shifted
    // by one so the notification without Partial IV (0) stays the oldest, also next to Partial IV 0.
    const observe = { number: OptionNumber.OBSERVE, value: encodeUint(seq === undefined ? 0 : (seq + 1) % 0x1000000) };
    inner = inner.map((o) => (o.number === OptionNumber.OBSERVE ? observe : o));
  }
  // Verified: commit the binding state.
  if (!piv) binding.requestNonceUsed = true;
  if (seq !== undefined) binding.notificationNumber = seq;
  if (!notification) binding.completed = true;
  return {
    ok: true,
    notification,
    response: {
      type: response.type,
      messageId: response.messageId,
      token: response.token,
      code: decoded.code,
      options: mergeOptions(response.options, inner),
      payload: decoded.payload,
    },
  };
}
