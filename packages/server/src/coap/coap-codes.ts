/** Small conversions between the core's "c.dd" codes and CoAP response messages. */
import type { CoapResponseInit } from '@lwm2m-ts/coap';
import { type ResponseCode, responseCodeToByte } from '../core/response-code';

/** An error answer with a diagnostic payload (RFC 7252 §5.5.2). */
export const errorAnswer = (code: ResponseCode, diagnostic: string): CoapResponseInit => ({
  code: responseCodeToByte(code),
  payload: diagnostic,
});

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of a payload, or undefined when the bytes are not valid UTF-8. */
export function utf8OrUndefined(payload: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(payload);
  } catch {
    return undefined;
  }
}
