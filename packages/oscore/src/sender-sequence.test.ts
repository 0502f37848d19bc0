import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hexToBytes as h } from './bytes';
import { OscoreError } from './oscore-error';
import { SecurityContext } from './security-context';
import { MAX_SEQUENCE_NUMBER, SenderSequence } from './sender-sequence';
import { FileSequenceNumberStore, MemorySequenceNumberStore, type SequenceNumberStore } from './sequence-number-store';

describe('SenderSequence (Appendix B.1.1)', () => {
  it('starts at 0 without persistence and counts up', () => {
    const s = new SenderSequence();
    expect([s.allocate(), s.allocate(), s.allocate()]).toEqual([0, 1, 2]);
  });

  it('saves every K-th number before using it and resumes at saved + K after a restart', () => {
    const store = new MemorySequenceNumberStore();
    const saves: number[] = [];
    const spy: SequenceNumberStore = {
      load: (k) => store.load(k),
      save: (k, v) => {
        saves.push(v);
        store.save(k, v);
      },
    };
    const s1 = new SenderSequence({ store: spy, key: 'a', interval: 10 });
    const used: number[] = [];
    for (let i = 0; i < 25; i++) used.push(s1.allocate());
    expect(saves).toEqual([0, 10, 20]);
    // "Reboot": every number used before the restart is below the restarted one.
    const s2 = new SenderSequence({ store: spy, key: 'a', interval: 10 });
    expect(s2.current).toBe(30);
    expect(Math.max(...used)).toBeLessThan(s2.current);
    expect(s2.allocate()).toBe(30);
    expect(saves.at(-1)).toBe(30);
  });

  it('with a margin F the first number after restart is saved even though not K-aligned', () => {
    const store = new MemorySequenceNumberStore();
    new SenderSequence({ store, key: 'k', interval: 10 }).allocate();
    const s = new SenderSequence({ store, key: 'k', interval: 10, margin: 3 });
    expect(s.allocate()).toBe(13);
    expect(store.load('k')).toBe(13);
    const again = new SenderSequence({ store, key: 'k', interval: 10, margin: 3 });
    expect(again.current).toBe(26);
  });

  it('does not use or advance a number whose save failed', () => {
    const failing: SequenceNumberStore = {
      load: () => undefined,
      save: () => {
        throw new Error('disk full');
      },
    };
    const s = new SenderSequence({ store: failing, key: 'x', interval: 5 });
    expect(() => s.allocate()).toThrow('disk full');
    expect(s.current).toBe(0);
  });

  it('refuses to go past 2^40-1 (§7.2.1)', () => {
    const s = new SenderSequence();
    s.current = MAX_SEQUENCE_NUMBER;
    expect(s.allocate()).toBe(MAX_SEQUENCE_NUMBER);
    try {
      s.allocate();
      expect.unreachable();
    } catch (err) {
      expect(OscoreError.isInstance(err) && err.kind).toBe('sequence-exhausted');
    }
  });

  it('FileSequenceNumberStore persists across instances', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'oscore-')), 'seq.json');
    const a = new FileSequenceNumberStore(path);
    expect(a.load('c')).toBeUndefined();
    a.save('c', 200);
    a.save('d', 7);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ c: 200, d: 7 });
    expect(new FileSequenceNumberStore(path).load('c')).toBe(200);
  });

  it('a restarted SecurityContext resumes its sequence and marks its replay window lost', () => {
    const store = new MemorySequenceNumberStore();
    const input = {
      masterSecret: h('0102'),
      senderId: h('01'),
      recipientId: h('02'),
      sequenceStore: store,
      sequenceInterval: 4,
    };
    const first = new SecurityContext(input);
    expect(first.replayWindow.initialized).toBe(true);
    for (let i = 0; i < 6; i++) first.sequence.allocate();
    const restarted = new SecurityContext(input);
    expect(restarted.senderSequenceNumber).toBe(8);
    expect(restarted.replayWindow.initialized).toBe(false);
  });
});
