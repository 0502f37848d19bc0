/** RFC 8613 §8.1 (protect a request) and §8.2 (verify a request). */
import { CoapCode, type CoapMessage, isRequestCode, isSignalingCode, OptionNumber } from '@lwm2m-ts/codec';
import { computeAad } from './aad';
import { aeadDecrypt, aeadEncrypt } from './aead';
import { bytesEqual } from './bytes';
import type { SecurityContextRegistry } from './context-registry';
import { computeNonce, decodePartialIv, encodePartialIv } from './nonce';
import { mergeOptions, splitOptions, withOscoreOption } from './option-classes';
import { OscoreError } from './oscore-error';
import { decodeOscoreOption, encodeOscoreOption } from './oscore-option';
import { decodePlaintext, encodePlaintext } from './plaintext';
import { RequestBinding } from './request-binding';
import type { SecurityContext } from './security-context';

export interface ProtectedRequest {
  readonly message: CoapMessage;
  /** Keep it (keyed by Token) to verify the response(s): unprotectResponse(binding, ...). */
  readonly binding: RequestBinding;
}

/**
 * Protects a request with the context's Sender Context. Uses (and advances) the Sender Sequence
 * Number; throws OscoreError for local failures ('sequence-exhausted', 'nested-oscore').
 */
export function protectRequest(context: SecurityContext, request: CoapMessage): ProtectedRequest {
  if (!isRequestCode(request.code) && !isSignalingCode(request.code)) {
    throw new RangeError(`protectRequest: code 0x${request.code.toString(16)} is not a request`);
  }
  const { inner, outer } = splitOptions(request.options, 'request');
  const observe = outer.some((o) => o.number === OptionNumber.OBSERVE);
  const plaintext = encodePlaintext(request.code, inner, request.payload);
  const seq = context.sequence.allocate();
  const piv = encodePartialIv(seq);
  const kid = context.senderId;
  const nonce = computeNonce(context.commonIv, kid, piv);
  const aad = computeAad(context.algorithm, kid, piv);
  const ciphertext = aeadEncrypt(context.algorithm, context.senderCipherKey, nonce, aad, plaintext);
  const optionValue = encodeOscoreOption({
    partialIv: piv,
    kid,
    ...(context.sendKidContext && context.idContext ? { kidContext: context.idContext } : {}),
  });
  const observeValue = inner.find((o) => o.number === OptionNumber.OBSERVE)?.value;
  const registration = observe && observeValue !== undefined && observeValue.length === 0;
  const message: CoapMessage = {
    type: request.type,
    messageId: request.messageId,
    token: request.token,
    // §4.2 / §4.1.3.5: POST, or FETCH when Observe is present (signaling keeps POST, §4.3).
    code: observe && !isSignalingCode(request.code) ? CoapCode.FETCH : CoapCode.POST,
    options: withOscoreOption(outer, optionValue),
    payload: ciphertext,
  };
  return { message, binding: new RequestBinding(context, kid, piv, nonce, registration, aad) };
}

export type UnprotectRequestResult =
  | { readonly ok: true; readonly request: CoapMessage; readonly binding: RequestBinding }
  | {
      readonly ok: false;
      readonly error: OscoreError;
      /** Present for 'echo-required': protect the Echo challenge with it (createEchoChallenge). */
      readonly binding?: RequestBinding;
    };

const fail = (error: OscoreError): UnprotectRequestResult => ({ ok: false, error });

/** The OSCORE option value of a message, undefined when absent; throws 'decode-failed' when repeated. */
export function getOscoreOption(message: CoapMessage): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const o of message.options) {
    if (o.number !== OptionNumber.OSCORE) continue;
    if (found) throw new OscoreError('decode-failed', 'repeated OSCORE option');
    found = o.value;
  }
  return found;
}

export const isOscoreMessage = (message: CoapMessage): boolean =>
  message.options.some((o) => o.number === OptionNumber.OSCORE);

/**
 * Verifies and decrypts a request (§8.2). Failures are values carrying the response code to
 * answer with (unprotected, see oscoreErrorResponse); no context state changes on failure.
 */
export function unprotectRequest(
  contexts: SecurityContextRegistry | SecurityContext,
  request: CoapMessage,
): UnprotectRequestResult {
  let value: Uint8Array | undefined;
  let header: ReturnType<typeof decodeOscoreOption>;
  try {
    value = getOscoreOption(request);
    if (value === undefined) return fail(new OscoreError('not-protected', 'request has no OSCORE option'));
    header = decodeOscoreOption(value);
  } catch (err) {
    if (OscoreError.isInstance(err)) return fail(err);
    throw err;
  }
  const { partialIv: piv, kid, kidContext } = header;
  if (!piv || !kid) return fail(new OscoreError('decode-failed', "request OSCORE option lacks Partial IV or 'kid'"));
  if (request.payload.length === 0) return fail(new OscoreError('decode-failed', 'request has no ciphertext'));

  const candidates =
    'resolve' in contexts
      ? contexts.resolve(kid, kidContext)
      : bytesEqual(contexts.recipientId, kid) &&
          (!kidContext || (contexts.idContext !== undefined && bytesEqual(contexts.idContext, kidContext)))
        ? [contexts]
        : [];
  if (candidates.length === 0) return fail(new OscoreError('context-not-found'));

  const seq = decodePartialIv(piv);
  let firstError: OscoreError | undefined;
  for (const ctx of candidates) {
    const window = ctx.replayWindow;
    if (window.initialized && window.check(seq) !== 'fresh') {
      firstError ??= new OscoreError('replay');
      continue;
    }
    const nonce = computeNonce(ctx.commonIv, kid, piv);
    const aad = computeAad(ctx.algorithm, kid, piv);
    const plaintext = aeadDecrypt(ctx.algorithm, ctx.recipientCipherKey, nonce, aad, request.payload);
    if (!plaintext) {
      firstError ??= new OscoreError('decryption-failed');
      continue;
    }
    let decoded: ReturnType<typeof decodePlaintext>;
    try {
      decoded = decodePlaintext(plaintext);
    } catch (err) {
      if (OscoreError.isInstance(err)) return fail(err);
      throw err;
    }
    if (!isRequestCode(decoded.code) && !isSignalingCode(decoded.code)) {
      return fail(new OscoreError('malformed-plaintext', 'decrypted code is not a request code'));
    }
    let innerOptions = decoded.options;
    // One pass for the three options this step looks at (first instance of each).
    let observeValue: Uint8Array | undefined;
    let echo: Uint8Array | undefined;
    for (let i = 0; i < innerOptions.length; i++) {
      const o = innerOptions[i]!;
      if (o.number === OptionNumber.OSCORE) {
        return fail(new OscoreError('malformed-plaintext', 'OSCORE option inside the ciphertext'));
      }
      if (o.number === OptionNumber.OBSERVE) observeValue ??= o.value;
      else if (o.number === OptionNumber.ECHO) echo ??= o.value;
    }
    const registration = observeValue !== undefined && observeValue.length === 0;
    const binding = new RequestBinding(ctx, kid, piv, nonce, registration, aad);

    if (!window.initialized) {
      // Appendix B.1.2: prove freshness with Echo before trusting any Partial IV after a restart.
      if (!echo || !ctx.pendingEcho || !bytesEqual(echo, ctx.pendingEcho)) {
        return {
          ok: false,
          error: new OscoreError('echo-required', 'replay window not initialized: Echo required'),
          binding,
        };
      }
      window.initializeAt(seq);
      ctx.pendingEcho = undefined;
      innerOptions = innerOptions.filter((o) => o.number !== OptionNumber.ECHO);
    } else {
      window.accept(seq);
    }
    const message: CoapMessage = {
      type: request.type,
      messageId: request.messageId,
      token: request.token,
      code: decoded.code,
      options: mergeOptions(request.options, innerOptions),
      payload: decoded.payload,
    };
    return { ok: true, request: message, binding };
  }
  return fail(firstError ?? new OscoreError('decryption-failed'));
}
