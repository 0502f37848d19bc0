/** Bytes <-> hex for JSON bodies. */
import { HttpError } from './api-errors';

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function fromHex(text: string, what: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw HttpError.badRequest(`${what} must be hex bytes`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export const hexSchema = { type: 'string', pattern: '^([0-9a-fA-F]{2})*$', maxLength: 8192 } as const;
