import { describe, expect, it } from 'vitest';
import { computeAad, encodeAadArray, encodeEncStructure } from './aad';
import { AES_CCM_16_64_128 } from './aead';

describe('computeAad', () => {
  it('writes the same bytes as the general CBOR encoder for every kid / Partial IV length', () => {
    for (let kid = 0; kid <= 26; kid++) {
      for (let piv = 0; piv <= 6; piv++) {
        const k = Uint8Array.from({ length: kid }, (_, i) => (i * 37 + 1) & 0xff);
        const p = Uint8Array.from({ length: piv }, (_, i) => (i * 11 + 5) & 0xff);
        const general = encodeEncStructure(encodeAadArray(AES_CCM_16_64_128, k, p));
        expect(computeAad(AES_CCM_16_64_128, k, p)).toEqual(general);
      }
    }
  });
});
