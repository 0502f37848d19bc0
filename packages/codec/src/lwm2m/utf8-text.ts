const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Strict UTF-8 decoding with a fast path for short ASCII strings: TextDecoder's per-call cost
 * dominates for the few-byte names and values LwM2M payloads are made of. Returns undefined when
 * the bytes are not valid UTF-8 (callers raise their own `CodecError` with context).
 */
export function decodeUtf8Text(bytes: Uint8Array): string | undefined {
  if (bytes.length <= 64) {
    let out = '';
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b > 0x7f) {
        ascii = false;
        break;
      }
      out += String.fromCharCode(b);
    }
    if (ascii) return out;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
