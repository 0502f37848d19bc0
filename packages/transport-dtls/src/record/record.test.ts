import { createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, parseRecords } from './record';
import { additionalData, type DirectionKeys, openRecord, protectRecord, sealRecord } from './record-protection';
import { ReplayWindow } from './replay-window';

const keys: DirectionKeys = {
  cipher: 'aes-128-ccm8',
  encKey: Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'),
  fixedIv: Buffer.from('a0a1a2a3', 'hex'),
  macKey: Buffer.alloc(0),
};
const noRandom = (n: number) => Buffer.alloc(n, 7);

describe('RFC 9146 tls12_cid record', () => {
  const cid = Buffer.from('c1c2c3c4c5c6', 'hex');
  const epoch = 1;
  const seq = 0x0102030405;
  const content = Buffer.from('hello');
  const sealed = sealRecord(keys, 23, epoch, seq, content, cid, noRandom);
  const wire = encodeRecord(sealed.type, epoch, seq, sealed.fragment, cid);

  it('lays out type 25, version, epoch, 48-bit seq, the CID (no length byte), then the length', () => {
    const payloadLength = 8 + content.length + 1 + 8; // explicit nonce, inner plaintext (+ real type), CCM_8 tag
    expect(wire.subarray(0, 19).toString('hex')).toBe(
      ['19', 'fefd', '0001', '000102030405', 'c1c2c3c4c5c6', payloadLength.toString(16).padStart(4, '0')].join(''),
    );
    expect(wire.length).toBe(19 + payloadLength);
  });

  it('authenticates the RFC 9146 additional data and carries the real type in DTLSInnerPlaintext', () => {
    // additional_data = seq_num_placeholder(8 x ff) + tls12_cid + cid_length + tls12_cid + version + epoch
    //                   + sequence_number + cid + length_of_DTLSInnerPlaintext
    const ad = Buffer.from(`ffffffffffffffff19061 9fefd0001000102030405c1c2c3c4c5c60006`.replace(/ /g, ''), 'hex');
    expect(additionalData(25, epoch, seq, 6, cid)).toEqual(ad);
    const fragment = wire.subarray(19);
    const nonce = Buffer.concat([keys.fixedIv, fragment.subarray(0, 8)]);
    expect(fragment.subarray(0, 8).toString('hex')).toBe('0001000102030405');
    const d = createDecipheriv('aes-128-ccm', keys.encKey, nonce, { authTagLength: 8 });
    d.setAuthTag(fragment.subarray(fragment.length - 8));
    d.setAAD(ad, { plaintextLength: 6 });
    const inner = d.update(fragment.subarray(8, fragment.length - 8));
    expect(inner.toString('hex')).toBe(`${content.toString('hex')}17`);
  });

  it('round-trips through parseRecords and openRecord, and rejects a flipped CID', () => {
    const [rec] = parseRecords(wire, 6);
    expect(rec).toMatchObject({ type: 25, epoch: 1, seq, cid });
    expect(openRecord(keys, rec!.type, rec!.epoch, rec!.seq, rec!.fragment, rec!.cid)).toEqual({ type: 23, content });
    const other = Buffer.from(cid);
    other[0]! ^= 1;
    expect(openRecord(keys, rec!.type, rec!.epoch, rec!.seq, rec!.fragment, other)).toBeUndefined();
  });
});

describe('record protection', () => {
  for (const cipher of ['aes-128-ccm8', 'aes-128-gcm', 'aes-128-cbc-sha256'] as const) {
    it(`${cipher}: seals, opens, and rejects tampering with body, header fields and sequence number`, () => {
      const k: DirectionKeys = {
        ...keys,
        cipher,
        ...(cipher === 'aes-128-cbc-sha256' ? { fixedIv: Buffer.alloc(0), macKey: Buffer.alloc(32, 3) } : {}),
      };
      const content = Buffer.from('some application data');
      const s = sealRecord(k, 23, 1, 9, content, undefined, noRandom);
      expect(openRecord(k, 23, 1, 9, s.fragment, undefined)?.content).toEqual(content);
      expect(openRecord(k, 22, 1, 9, s.fragment, undefined)).toBeUndefined();
      expect(openRecord(k, 23, 1, 10, s.fragment, undefined)).toBeUndefined();
      expect(openRecord(k, 23, 2, 9, s.fragment, undefined)).toBeUndefined();
      for (let i = 0; i < s.fragment.length; i += 7) {
        const t = Buffer.from(s.fragment);
        t[i]! ^= 0x40;
        expect(openRecord(k, 23, 1, 9, t, undefined)).toBeUndefined();
      }
      expect(openRecord(k, 23, 1, 9, s.fragment.subarray(0, 10), undefined)).toBeUndefined();
    });
  }
});

describe('protectRecord (one-buffer sealing)', () => {
  it('writes the same bytes as encodeRecord(sealRecord(...)) for every suite, with and without a CID', () => {
    const cbcKeys: DirectionKeys = {
      ...keys,
      cipher: 'aes-128-cbc-sha256',
      fixedIv: Buffer.alloc(0),
      macKey: Buffer.alloc(32, 3),
    };
    const all = [keys, { ...keys, cipher: 'aes-128-gcm' as const }, cbcKeys];
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.constantFrom(...all),
        fc.boolean(),
        (bytes, seq, k, withCid) => {
          const content = Buffer.from(bytes);
          const cid = withCid ? Buffer.from('0a0b0c', 'hex') : undefined;
          const sealed = sealRecord(k, 23, 1, seq, content, cid, noRandom);
          const expected = encodeRecord(sealed.type, 1, seq, sealed.fragment, cid);
          const wire = protectRecord(k, 23, 1, seq, content, cid, noRandom);
          expect(wire).toEqual(expected);
          const [rec] = parseRecords(wire, cid?.length ?? 0);
          expect(openRecord(k, rec!.type, 1, rec!.seq, rec!.fragment, rec!.cid)).toEqual({ type: 23, content });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseRecords', () => {
  it('never throws on random bytes and never returns a record past the end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (bytes, cidLen) => {
        const buf = Buffer.from(bytes);
        for (const r of parseRecords(buf, cidLen)) expect(r.fragment.length).toBeLessThanOrEqual(buf.length);
      }),
    );
  });

  it('splits several records in one datagram and stops at a truncated one', () => {
    const a = encodeRecord(22, 0, 1, Buffer.from([1, 2, 3]));
    const b = encodeRecord(20, 0, 2, Buffer.from([1]));
    const recs = parseRecords(Buffer.concat([a, b, b.subarray(0, 10)]), 0);
    expect(recs.map((r) => [r.type, r.seq, r.fragment.length])).toEqual([
      [22, 1, 3],
      [20, 2, 1],
    ]);
  });
});

describe('ReplayWindow', () => {
  it('accepts new numbers once, slides by 64 and rejects anything left of the window', () => {
    const w = new ReplayWindow();
    const accept = (n: number) => {
      const ok = w.check(n);
      if (ok) w.mark(n);
      return ok;
    };
    expect(accept(5)).toBe(true);
    expect(accept(5)).toBe(false);
    expect(accept(3)).toBe(true);
    expect(accept(3)).toBe(false);
    expect(accept(100)).toBe(true);
    expect(accept(37)).toBe(true); // 100 - 63
    expect(accept(36)).toBe(false); // outside the window
    expect(accept(99)).toBe(true);
    expect(accept(68)).toBe(true); // d = 32 (second word)
    expect(accept(68)).toBe(false);
    expect(accept(2 ** 47)).toBe(true);
    expect(accept(2 ** 47 - 1)).toBe(true);
    expect(accept(2 ** 47 - 1)).toBe(false);
  });

  it('matches a reference set model for random sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 300 }), (seqs) => {
        const w = new ReplayWindow();
        const seen = new Set<number>();
        let max = -1;
        for (const s of seqs) {
          const expected = !seen.has(s) && s > max - 64;
          expect(w.check(s)).toBe(expected);
          if (expected) {
            w.mark(s);
            seen.add(s);
            max = Math.max(max, s);
          }
        }
      }),
    );
  });
});
