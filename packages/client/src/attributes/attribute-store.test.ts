/** Direct-access callers' attributes stay bounded; registered servers' and observers' are kept. */
import { LwM2mPath } from '@lwm2m-ts/objects';
import { describe, expect, it } from 'vitest';
import { AttributeStore, DEFAULT_MAX_DIRECT_CALLERS } from './attribute-store';

const path = LwM2mPath.parse('/3303/0/5700');
const isDirect = (server: string) => server.startsWith('peer:');

function store(max?: number) {
  const observing = new Set<string>();
  const attributes = new AttributeStore({
    isDirect,
    observing: (server) => observing.has(server),
    ...(max === undefined ? {} : { maxDirectCallers: max }),
  });
  return { attributes, observing };
}

describe('AttributeStore bounds direct-access callers', () => {
  it('10,000 ports each writing attributes leave at most the cap, the latest writers kept', () => {
    const { attributes } = store();
    for (let port = 1; port <= 10_000; port++) attributes.set(`peer:tool|${port}`, path, { pmin: port });
    expect(attributes.callers).toBe(DEFAULT_MAX_DIRECT_CALLERS);
    expect(attributes.at('peer:tool|10000', path)).toEqual({ pmin: 10_000 });
    expect(attributes.at(`peer:tool|${10_000 - DEFAULT_MAX_DIRECT_CALLERS + 1}`, path)).toEqual({
      pmin: 10_000 - DEFAULT_MAX_DIRECT_CALLERS + 1,
    });
    expect(attributes.at(`peer:tool|${10_000 - DEFAULT_MAX_DIRECT_CALLERS}`, path)).toEqual({});
  });

  it('never evicts a caller that observes, nor registered servers', () => {
    const { attributes, observing } = store(2);
    attributes.set('ssid:1', path, { pmin: 1 });
    attributes.set('peer:watcher', path, { pmin: 7 });
    observing.add('peer:watcher');
    for (let port = 1; port <= 1000; port++) attributes.set(`peer:tool|${port}`, path, { gt: port });
    expect(attributes.effective('peer:watcher', path)).toEqual({ pmin: 7 });
    expect(attributes.effective('ssid:1', path)).toEqual({ pmin: 1 });
    // ssid:1, the watcher, and the cap's worth of others.
    expect(attributes.callers).toBe(1 + 1 + 1);
    // The watcher stops observing: it becomes evictable, and trimming brings the count to the cap.
    observing.delete('peer:watcher');
    attributes.trim();
    expect(attributes.callers).toBe(1 + 2);
    attributes.set('peer:tool|2000', path, { gt: 1 });
    expect(attributes.effective('peer:watcher', path)).toEqual({});
  });

  it('keeps the caller that just wrote even when every other entry is observing', () => {
    const { attributes, observing } = store(1);
    attributes.set('peer:a', path, { pmin: 1 });
    observing.add('peer:a');
    attributes.set('peer:b', path, { pmin: 2 });
    expect(attributes.at('peer:a', path)).toEqual({ pmin: 1 });
    expect(attributes.at('peer:b', path)).toEqual({ pmin: 2 });
    // A later writer evicts b (not observing), never a.
    attributes.set('peer:c', path, { pmin: 3 });
    expect(attributes.at('peer:b', path)).toEqual({});
    expect(attributes.callers).toBe(2);
  });

  it('rewriting refreshes a caller (least recently written goes first)', () => {
    const { attributes } = store(2);
    attributes.set('peer:a', path, { pmin: 1 });
    attributes.set('peer:b', path, { pmin: 2 });
    attributes.set('peer:a', path, { pmin: 3 });
    attributes.set('peer:c', path, { pmin: 4 });
    expect(attributes.at('peer:a', path)).toEqual({ pmin: 3 });
    expect(attributes.at('peer:b', path)).toEqual({});
  });

  it('drops a caller whose attributes are all cleared or whose instance is deleted', () => {
    const { attributes } = store();
    attributes.set('peer:a', path, { pmin: 1 });
    attributes.set('peer:a', path, {});
    expect(attributes.callers).toBe(0);
    // Clearing what was never set stores nothing.
    attributes.set('peer:b', path, {});
    expect(attributes.callers).toBe(0);
    attributes.set('peer:c', path, { pmin: 1 });
    attributes.set('ssid:1', path, { pmin: 1 });
    attributes.removeBelow(LwM2mPath.parse('/3303/0'));
    expect(attributes.callers).toBe(0);
  });

  it('refuses a cap that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => new AttributeStore({ maxDirectCallers: bad })).toThrow(/positive integer/);
  });
});
