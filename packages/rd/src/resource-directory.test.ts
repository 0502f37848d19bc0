import { makePeer } from '@lwm2m-ts/coap';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryRdStore } from './memory-rd-store';
import { parseRegistrationParameters } from './parameters';
import { parseLookupQuery } from './query';
import { ResourceDirectory } from './resource-directory';

const source = { peer: makePeer('2001:db8::9', 5683), sourceBase: 'coap://[2001:db8::9]:5683' };
const params = (q: string) => parseRegistrationParameters(q.split('&'));

describe('ResourceDirectory (core API)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a lookup without count stops at maxLookupResults; page and count reach the rest', async () => {
    const rd = new ResourceDirectory({ maxLookupResults: 3 });
    for (const ep of ['a', 'b', 'c', 'd', 'e']) await rd.register(params(`ep=${ep}`), [], source);
    const eps = async (q: string[]) =>
      (await rd.lookupEndpoints(parseLookupQuery(q))).map((l) => l.attributes.find((a) => a.name === 'ep')?.value);
    expect(await eps([])).toEqual(['a', 'b', 'c']);
    expect(await eps(['page=1', 'count=3'])).toEqual(['d', 'e']);
    expect(await eps(['count=5'])).toEqual(['a', 'b', 'c', 'd', 'e']);
    rd.close();
  });

  it('a throwing change listener neither fails the registration nor stops other listeners', async () => {
    const errors: string[] = [];
    const rd = new ResourceDirectory({ onError: (_e, where) => errors.push(where) });
    const seen: string[] = [];
    rd.onChange(() => {
      throw new Error('listener bug');
    });
    rd.onChange((e) => seen.push(e.type));
    const reg = await rd.register(params('ep=a'), [], source);
    expect(reg.ep).toBe('a');
    expect(seen).toEqual(['registered']);
    expect(errors).toEqual(['registered listener']);
    rd.close();
  });

  it('a store failing during an expiry sweep is reported and the sweep retried', async () => {
    const store = new MemoryRdStore();
    let failures = 1;
    const takeExpired = store.takeExpired.bind(store);
    store.takeExpired = async (now) => {
      if (failures-- > 0) throw new Error('store down');
      return takeExpired(now);
    };
    const errors: string[] = [];
    const rd = new ResourceDirectory({ store, onError: (_e, where) => errors.push(where) });
    await rd.register(params('ep=a&lt=10'), [], source);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors).toEqual(['expiry sweep']);
    expect(await store.size()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await store.size()).toBe(0);
    rd.close();
  });

  it('the expiry timer follows the earliest registration, also after refreshes and removals', async () => {
    const rd = new ResourceDirectory();
    const expired: string[] = [];
    rd.onChange((e) => {
      if (e.type === 'expired') expired.push(`${e.registration.ep}@${Date.now()}`);
    });
    const t0 = Date.now();
    const a = await rd.register(params('ep=a&lt=100'), [], source);
    await rd.register(params('ep=b&lt=50'), [], source);
    await rd.register(params('ep=c&lt=200'), [], source);
    await vi.advanceTimersByTimeAsync(40_000);
    await rd.update(a.id, params('lt=30'), undefined, source); // a now expires at 70 s
    await vi.advanceTimersByTimeAsync(160_000);
    expect(expired).toEqual([`b@${t0 + 50_000}`, `a@${t0 + 70_000}`, `c@${t0 + 200_000}`]);
    expect(await rd.lookupEndpoints(parseLookupQuery([]))).toEqual([]);
    rd.close();
  });
});
