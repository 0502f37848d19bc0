import { describe, expect, it } from 'vitest';
import { prfSha256, pskPreMaster } from './prf';

describe('TLS 1.2 PRF (SHA-256)', () => {
  it('matches the published P_SHA256 test vector', () => {
    const secret = Buffer.from('9bbe436ba940f017b17652849a71db35', 'hex');
    const seed = Buffer.from('a0ba9f936cda311827a6f796ffd5198c', 'hex');
    const out = prfSha256(secret, 'test label', seed, 100);
    expect(out.toString('hex')).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('gives every prefix length the same bytes (no HMAC skipped or repeated at block boundaries)', () => {
    const secret = Buffer.from('9bbe436ba940f017b17652849a71db35', 'hex');
    const seed = Buffer.from('a0ba9f936cda311827a6f796ffd5198c', 'hex');
    const full = prfSha256(secret, 'test label', seed, 100);
    for (const n of [1, 12, 31, 32, 33, 40, 48, 64, 65, 99])
      expect(prfSha256(secret, 'test label', seed, n)).toEqual(full.subarray(0, n));
  });

  it('builds the RFC 4279 PSK pre-master secret', () => {
    expect(pskPreMaster(Buffer.from('abc')).toString('hex')).toBe('00030000000003616263');
  });
});
