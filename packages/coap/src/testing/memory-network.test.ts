import { CoapCode, createMessage, decodeReliable, encodeReliable } from '@lwm2m-ts/codec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryNetwork } from './memory-network';
import { seededRandom } from './random';

describe('MemoryNetwork', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers datagrams with the sender peer and identity', async () => {
    const net = new MemoryNetwork();
    const a = net.transport('a', { identity: { kind: 'psk', identity: 'dev-a' } });
    const b = net.transport('b');
    const got: string[] = [];
    b.onReceive((f, p) => got.push(`${p.key} ${p.identity?.kind === 'psk' ? p.identity.identity : ''} ${f.length}`));
    await a.send(a.peerOf(b), Uint8Array.of(1, 2, 3));
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toEqual([`a|${a.port} dev-a 3`]);
  });

  it('loses, duplicates and reorders deterministically for a seed', async () => {
    const run = async () => {
      const net = new MemoryNetwork({
        random: seededRandom(7),
        loss: 0.3,
        duplicate: 0.2,
        reorder: 0.3,
        reorderWindowMs: 100,
        delayMs: 1,
      });
      const a = net.transport('a');
      const b = net.transport('b');
      const got: number[] = [];
      b.onReceive((f) => got.push(f[0]!));
      for (let i = 0; i < 100; i++) await a.send(a.peerOf(b), Uint8Array.of(i));
      await vi.advanceTimersByTimeAsync(1000);
      return { got, stats: { ...net.stats } };
    };
    const r1 = await run();
    const r2 = await run();
    expect(r1).toEqual(r2);
    expect(r1.stats.lost).toBeGreaterThan(10);
    expect(r1.stats.duplicated).toBeGreaterThan(5);
    expect(r1.got.some((v, i) => i > 0 && v < r1.got[i - 1]!)).toBe(true);
    expect(r1.got.length).toBe(100 - r1.stats.lost + r1.stats.duplicated);
  });

  it('stream transports keep order, split the byte stream into frames, and report closed connections', async () => {
    const net = new MemoryNetwork({ delayMs: 5 });
    const a = net.transport('a', { kind: 'stream' });
    const b = net.transport('b', { kind: 'stream' });
    const got: number[] = [];
    const closed: string[] = [];
    b.onReceive((f) => got.push(decodeReliable(f, 'tcp').token[0]!));
    b.onPeerClosed((p) => closed.push(p.key));
    for (let i = 0; i < 20; i++)
      await a.send(
        a.peerOf(b),
        encodeReliable(
          createMessage({ code: CoapCode.GET, token: Uint8Array.of(i), payload: new Uint8Array(i * 50) }),
          'tcp',
        ),
      );
    await vi.advanceTimersByTimeAsync(10);
    expect(got).toEqual([...Array(20).keys()]);
    await a.close();
    expect(closed).toEqual([`a|${a.port}`]);
    await expect(b.send(b.peerOf(a), Uint8Array.of(0))).rejects.toThrow(/refused/);
  });
});
