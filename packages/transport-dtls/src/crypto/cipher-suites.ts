/** The cipher suites this stack implements, with their key-block layout. */

export type KeyExchange = 'psk' | 'ecdhe_psk' | 'ecdhe_ecdsa';
export type BulkCipher = 'aes-128-ccm8' | 'aes-128-gcm' | 'aes-128-cbc-sha256';

export interface CipherSuite {
  readonly id: number;
  readonly name: CipherSuiteName;
  readonly keyExchange: KeyExchange;
  readonly cipher: BulkCipher;
  readonly macKeyLength: number;
  readonly encKeyLength: number;
  readonly fixedIvLength: number;
}

export type CipherSuiteName =
  | 'TLS_PSK_WITH_AES_128_CCM_8'
  | 'TLS_PSK_WITH_AES_128_CBC_SHA256'
  | 'TLS_PSK_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256';

const aead = (id: number, name: CipherSuiteName, keyExchange: KeyExchange, cipher: BulkCipher): CipherSuite => ({
  id,
  name,
  keyExchange,
  cipher,
  macKeyLength: 0,
  encKeyLength: 16,
  fixedIvLength: 4,
});
const cbc = (id: number, name: CipherSuiteName, keyExchange: KeyExchange): CipherSuite => ({
  id,
  name,
  keyExchange,
  cipher: 'aes-128-cbc-sha256',
  macKeyLength: 32,
  encKeyLength: 16,
  fixedIvLength: 0,
});

/** In default preference order (LwM2M mandatory suites first). */
export const CIPHER_SUITES: readonly CipherSuite[] = [
  aead(0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8', 'psk', 'aes-128-ccm8'),
  aead(0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ecdhe_ecdsa', 'aes-128-ccm8'),
  aead(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ecdhe_ecdsa', 'aes-128-gcm'),
  aead(0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'psk', 'aes-128-gcm'),
  cbc(0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ecdhe_ecdsa'),
  cbc(0xc037, 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', 'ecdhe_psk'),
  cbc(0x00ae, 'TLS_PSK_WITH_AES_128_CBC_SHA256', 'psk'),
];

const byId = new Map(CIPHER_SUITES.map((s) => [s.id, s]));
const byName = new Map(CIPHER_SUITES.map((s) => [s.name, s]));

export const suiteById = (id: number): CipherSuite | undefined => byId.get(id);

export function suitesByName(names: readonly CipherSuiteName[]): CipherSuite[] {
  return names.map((n) => {
    const s = byName.get(n);
    if (!s) throw new Error(`unknown cipher suite ${n}`);
    return s;
  });
}

export const usesPsk = (s: CipherSuite): boolean => s.keyExchange !== 'ecdhe_ecdsa';
export const usesEcdhe = (s: CipherSuite): boolean => s.keyExchange !== 'psk';
export const keyBlockLength = (s: CipherSuite): number => 2 * (s.macKeyLength + s.encKeyLength + s.fixedIvLength);
