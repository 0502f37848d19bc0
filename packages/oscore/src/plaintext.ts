/** RFC 8613 §5.3 plaintext: Code, Inner options, 0xFF + payload. */
import {
  type CoapOption,
  CodecError,
  decodeOptionsAndPayload,
  optionsAndPayloadSize,
  sortOptions,
  writeOptionsAndPayload,
} from '@lwm2m-ts/codec';
import { OscoreError } from './oscore-error';

/** Written in one buffer (no intermediate options section): this runs for every message. */
export function encodePlaintext(code: number, inner: readonly CoapOption[], payload: Uint8Array): Uint8Array {
  const sorted = sortOptions(inner);
  const out = new Uint8Array(1 + optionsAndPayloadSize(sorted, payload));
  out[0] = code;
  writeOptionsAndPayload(out, 1, sorted, payload);
  return out;
}

export interface DecodedPlaintext {
  readonly code: number;
  readonly options: readonly CoapOption[];
  readonly payload: Uint8Array;
}

/** Throws OscoreError('malformed-plaintext') when the decrypted bytes are not a valid section. */
export function decodePlaintext(plaintext: Uint8Array): DecodedPlaintext {
  if (plaintext.length === 0) throw new OscoreError('malformed-plaintext', 'empty OSCORE plaintext');
  try {
    const { options, payload } = decodeOptionsAndPayload(plaintext, 1);
    return { code: plaintext[0]!, options, payload };
  } catch (err) {
    if (CodecError.isInstance(err))
      throw new OscoreError('malformed-plaintext', `malformed OSCORE plaintext: ${err.message}`, { cause: err });
    throw err;
  }
}
