import { describe, expect, it } from 'vitest';
import { ReplayWindow } from './replay-window';

describe('ReplayWindow', () => {
  it('accepts in any order within the window, rejects duplicates', () => {
    const w = new ReplayWindow(32);
    for (const s of [5, 3, 9, 4]) {
      expect(w.check(s)).toBe('fresh');
      w.accept(s);
    }
    for (const s of [5, 3, 9, 4]) expect(w.check(s)).toBe('replay');
    expect(w.check(6)).toBe('fresh');
    expect(w.highest).toBe(9);
  });

  it('rejects sequence numbers left of the window as too old', () => {
    const w = new ReplayWindow(32);
    w.accept(100);
    expect(w.check(69)).toBe('fresh'); // 100 - 69 = 31 < 32
    expect(w.check(68)).toBe('too-old');
  });

  it('clears slots when sliding, so a slot reused by a newer number is fresh', () => {
    const w = new ReplayWindow(4);
    w.accept(1);
    w.accept(2);
    expect(w.check(5)).toBe('fresh'); // slot 1 reused for 5
    w.accept(5);
    expect(w.check(1)).toBe('too-old');
    expect(w.check(3)).toBe('fresh');
    expect(w.check(4)).toBe('fresh');
    expect(w.check(2)).toBe('replay');
    w.accept(100);
    expect(w.check(99)).toBe('fresh');
    expect(w.check(97)).toBe('fresh');
    expect(w.check(96)).toBe('too-old');
  });

  it('supports windows larger than 32 (e.g. 64)', () => {
    const w = new ReplayWindow(64);
    w.accept(200);
    expect(w.check(137)).toBe('fresh');
    expect(w.check(136)).toBe('too-old');
  });

  it('check() does not mutate', () => {
    const w = new ReplayWindow();
    w.check(7);
    expect(w.highest).toBe(-1);
    expect(w.check(7)).toBe('fresh');
  });

  it('initializeAt() treats that number and everything below as received (Appendix B.1.2)', () => {
    const w = new ReplayWindow(32, { valid: false });
    expect(w.initialized).toBe(false);
    w.initializeAt(50);
    expect(w.initialized).toBe(true);
    expect(w.check(50)).toBe('replay');
    expect(w.check(40)).toBe('replay');
    expect(w.check(51)).toBe('fresh');
  });
});
