import { describe, expect, it } from 'vitest';
import { CookieJar } from './cookie';
import { encodeClientHello, encodeHandshakeFragment, parseHandshakeFragments } from './messages';
import { HandshakeReassembler } from './reassembler';

describe('HandshakeReassembler', () => {
  const body = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
  const frag = (seq: number, off: number, len: number) =>
    parseHandshakeFragments(encodeHandshakeFragment(11, seq, body, off, len))[0]!;

  it('reassembles overlapping out-of-order fragments and releases messages in message_seq order', () => {
    const r = new HandshakeReassembler();
    r.add(frag(1, 0, 100), 0);
    expect(r.next()).toBeUndefined(); // seq 0 still missing
    r.add(frag(0, 60, 40), 0);
    r.add(frag(0, 0, 30), 0);
    expect(r.next()).toBeUndefined();
    r.add(frag(0, 20, 45), 0);
    expect(r.next()).toMatchObject({ type: 11, seq: 0, body });
    expect(r.next()).toMatchObject({ seq: 1, body });
    expect(r.add(frag(0, 0, 10), 0)).toBe('old');
  });

  it('ignores fragments too far ahead or inconsistent with earlier ones', () => {
    const r = new HandshakeReassembler(1000, 4);
    r.add(frag(10, 0, 100), 0);
    r.add(frag(0, 0, 50), 0);
    r.add({ ...frag(0, 50, 50), msgType: 12 }, 0);
    r.add(frag(0, 50, 50), 1); // other epoch
    expect(r.next()).toBeUndefined();
    r.add(frag(0, 50, 50), 0);
    expect(r.next()?.seq).toBe(0);
  });
});

describe('HandshakeReassembler memory bound', () => {
  it('ignores fragments of messages that would push the buffered total past the limit', () => {
    const r = new HandshakeReassembler(1000, 8);
    const big = Buffer.alloc(600, 1);
    const f = (seq: number) => parseHandshakeFragments(encodeHandshakeFragment(11, seq, big, 0, 10))[0]!;
    r.add(f(1), 0); // 600 buffered
    r.add(f(2), 0); // would be 1200: ignored
    r.add(parseHandshakeFragments(encodeHandshakeFragment(11, 0, Buffer.alloc(300), 0, 300))[0]!, 0); // 900
    expect(r.next()?.seq).toBe(0); // 600 buffered again
    r.add(parseHandshakeFragments(encodeHandshakeFragment(11, 1, big, 10, 590))[0]!, 0);
    expect(r.next()?.seq).toBe(1);
    r.add(f(2), 0); // room now
    r.add(parseHandshakeFragments(encodeHandshakeFragment(11, 2, big, 10, 590))[0]!, 0);
    expect(r.next()?.seq).toBe(2);
  });
});

describe('CookieJar', () => {
  const hello = (cookie: Buffer) =>
    encodeClientHello({
      random: Buffer.alloc(32, 1),
      sessionId: Buffer.alloc(0),
      cookie,
      cipherSuites: [0xc0a8],
      extensions: new Map(),
    });

  it('binds the cookie to the address and ClientHello, and survives exactly one secret rotation', () => {
    let now = 0;
    let n = 0;
    const jar = new CookieJar(
      1000,
      () => now,
      (len) => Buffer.alloc(len, ++n),
    );
    const cookie = jar.make('127.0.0.1', 5000, hello(Buffer.alloc(0)));
    expect(jar.verify('127.0.0.1', 5000, hello(cookie), cookie)).toBe(true);
    expect(jar.verify('127.0.0.1', 5001, hello(cookie), cookie)).toBe(false);
    expect(jar.verify('127.0.0.2', 5000, hello(cookie), cookie)).toBe(false);
    now = 1500;
    expect(jar.verify('127.0.0.1', 5000, hello(cookie), cookie)).toBe(true);
    now = 2600;
    expect(jar.verify('127.0.0.1', 5000, hello(cookie), cookie)).toBe(false);
  });
});
