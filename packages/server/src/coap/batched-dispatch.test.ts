import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../core/clock';
import { batchedDispatch } from './batched-dispatch';

describe('batchedDispatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs events later, in order, with one timer per batch', () => {
    const setTimeoutSpy = vi.spyOn(systemClock, 'setTimeout');
    const dispatch = batchedDispatch(systemClock);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) dispatch(() => seen.push(i));
    expect(seen).toEqual([]);
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(0);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    setTimeoutSpy.mockRestore();
  });

  it('an event dispatched by a listener runs in the next batch', () => {
    const dispatch = batchedDispatch(systemClock);
    const seen: string[] = [];
    dispatch(() => {
      seen.push('a');
      dispatch(() => seen.push('c'));
    });
    dispatch(() => seen.push('b'));
    vi.advanceTimersByTime(0);
    expect(seen).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1); // fake timers give a 0 ms timer set during a tick 1 ms
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('a throwing emit does not stop the rest of its batch, and its error surfaces', () => {
    const dispatch = batchedDispatch(systemClock);
    const seen: number[] = [];
    dispatch(() => {
      throw new Error('listener bug');
    });
    dispatch(() => seen.push(2));
    expect(() => vi.advanceTimersByTime(0)).toThrow('listener bug');
    expect(seen).toEqual([2]);
    dispatch(() => seen.push(3));
    vi.advanceTimersByTime(0);
    expect(seen).toEqual([2, 3]);
  });
});
