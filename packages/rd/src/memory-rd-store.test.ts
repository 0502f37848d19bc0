import type { Link } from '@lwm2m-ts/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRdStore } from './memory-rd-store';
import type { Criterion } from './query';
import { registrationMatches } from './query';
import type { Registration } from './registration';

const reg = (id: string, over: Partial<Registration> = {}): Registration => ({
  id,
  location: ['rd', id],
  ep: `ep${id}`,
  d: undefined,
  base: 'coap://h:1',
  baseExplicit: false,
  lt: 100,
  attributes: [],
  links: [],
  owner: undefined,
  registeredAt: 0,
  updatedAt: 0,
  expiresAt: 100_000,
  ...over,
});
const link = (href: string, rt?: string, iface?: string): Link => ({
  href,
  attributes: [
    ...(rt ? [{ name: 'rt', value: rt, quoted: true }] : []),
    ...(iface ? [{ name: 'if', value: iface, quoted: true }] : []),
  ],
});

describe('MemoryRdStore', () => {
  it('answers exact-value criteria from an index, and keeps indexes right across replace and delete', async () => {
    const s = new MemoryRdStore();
    await s.put(reg('1', { links: [link('/a', 'temp'), link('/b', 'light lux')] }));
    await s.put(reg('2', { d: 'x', links: [link('/c', 'temp')], attributes: [{ name: 'et', value: 'box' }] }));
    const ids = async (c: Criterion[]) => [...(await s.candidates(c))].map((r) => r.id);
    expect(await ids([{ name: 'rt', value: 'temp' }])).toEqual(['1', '2']);
    expect(await ids([{ name: 'rt', value: 'lux' }])).toEqual(['1']);
    expect(await ids([{ name: 'rt', value: 'light lux' }])).toEqual(['1', '2']); // not indexable: full list
    expect(await ids([{ name: 'et', value: 'box' }])).toEqual(['2']);
    expect(await ids([{ name: 'd', value: 'x' }])).toEqual(['2']);
    expect(await ids([{ name: 'rt', value: 'nothing' }])).toEqual([]);
    await s.put(reg('1', { links: [link('/a', 'humidity')] }));
    expect(await ids([{ name: 'rt', value: 'temp' }])).toEqual(['2']);
    expect(await ids([{ name: 'rt', value: 'humidity' }])).toEqual(['1']);
    await s.delete('2');
    expect(await ids([{ name: 'rt', value: 'temp' }])).toEqual([]);
    expect(await s.findByName('ep2', 'x')).toBeUndefined();
    expect((await s.findByName('ep1', undefined))?.id).toBe('1');
  });

  it('keeps the default sector apart from an empty-named sector and from names with separators', async () => {
    const s = new MemoryRdStore();
    await s.put(reg('1', { ep: 'e', d: undefined }));
    await s.put(reg('2', { ep: 'e', d: '' }));
    await s.put(reg('3', { ep: 'b\u0000c', d: 'a' }));
    await s.put(reg('4', { ep: 'c', d: 'a\u0000b' }));
    expect((await s.findByName('e', undefined))?.id).toBe('1');
    expect((await s.findByName('e', ''))?.id).toBe('2');
    expect((await s.findByName('b\u0000c', 'a'))?.id).toBe('3');
    expect((await s.findByName('c', 'a\u0000b'))?.id).toBe('4');
    await s.delete('2');
    expect((await s.findByName('e', undefined))?.id).toBe('1');
    expect(await s.findByName('e', '')).toBeUndefined();
  });

  it('a replace that renames the endpoint or moves its sector leaves no ghost under the old name', async () => {
    const s = new MemoryRdStore();
    await s.put(reg('1', { ep: 'old', d: 's' }));
    await s.put(reg('1', { ep: 'new', d: 's' }));
    expect(await s.findByName('old', 's')).toBeUndefined();
    expect((await s.findByName('new', 's'))?.id).toBe('1');
    await s.put(reg('1', { ep: 'new', d: undefined }));
    expect(await s.findByName('new', 's')).toBeUndefined();
    expect((await s.findByName('new', undefined))?.id).toBe('1');
    // The old name is free again: another registration takes it, and the renamed one's delete leaves it alone.
    await s.put(reg('2', { ep: 'old', d: 's' }));
    await s.delete('1');
    expect((await s.findByName('old', 's'))?.id).toBe('2');
    expect(await s.findByName('new', undefined)).toBeUndefined();
  });

  it('property: findByName answers the latest live holder of a name and never a ghost', async () => {
    const op = fc.oneof(
      fc.record({
        put: fc.constantFrom('1', '2', '3'),
        ep: fc.constantFrom('x', 'y'),
        d: fc.constantFrom(undefined, '', 's'),
      }),
      fc.record({ del: fc.constantFrom('1', '2', '3') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        const s = new MemoryRdStore();
        const live = new Map<string, Registration>();
        const holders: Registration[] = []; // put order, latest last
        for (const o of ops) {
          if ('put' in o) {
            const r = reg(o.put, { ep: o.ep, d: o.d });
            await s.put(r);
            live.set(r.id, r);
            holders.push(r);
          } else {
            await s.delete(o.del);
            live.delete(o.del);
          }
        }
        for (const ep of ['x', 'y'])
          for (const d of [undefined, '', 's']) {
            const got = await s.findByName(ep, d);
            const latest = [...holders].reverse().find((r) => r.ep === ep && r.d === d);
            const expected = latest && live.get(latest.id) === latest ? latest : undefined;
            if (expected) expect(got).toBe(expected);
            else if (got) expect([got.ep, got.d, live.get(got.id)]).toEqual([ep, d, got]);
          }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('takeExpired pops only what expired, also after lifetimes changed', async () => {
    const s = new MemoryRdStore();
    await s.put(reg('a', { expiresAt: 10 }));
    await s.put(reg('b', { expiresAt: 20 }));
    await s.put(reg('a', { expiresAt: 30 })); // refreshed
    expect(await s.nextExpiry()).toBe(20);
    expect((await s.takeExpired(15)).map((r) => r.id)).toEqual([]);
    expect((await s.takeExpired(25)).map((r) => r.id)).toEqual(['b']);
    expect(await s.nextExpiry()).toBe(30);
    expect((await s.takeExpired(30)).map((r) => r.id)).toEqual(['a']);
    expect(await s.nextExpiry()).toBeUndefined();
    expect(await s.size()).toBe(0);
  });

  it('property: index candidates never miss a registration that a full scan matches', async () => {
    const word = fc.constantFrom('a', 'b', 'c', 'temp', 'light');
    const regArb = fc.record({
      d: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
      et: fc.option(word, { nil: undefined }),
      links: fc.array(
        fc.record({
          rt: fc.option(fc.array(word, { minLength: 1, maxLength: 2 }), { nil: undefined }),
          iface: fc.option(word, { nil: undefined }),
        }),
        { maxLength: 3 },
      ),
    });
    const critArb = fc.array(
      fc.record({
        name: fc.constantFrom('rt', 'if', 'et', 'd', 'ep'),
        value: fc.oneof(word, fc.constantFrom('s1', 's2', 'ep1', 't*')),
      }),
      { minLength: 1, maxLength: 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(regArb, { maxLength: 12 }),
        critArb,
        fc.array(fc.nat(11), { maxLength: 4 }),
        async (regs, crit, dels) => {
          const s = new MemoryRdStore();
          const all: Registration[] = regs.map((r, i) =>
            reg(String(i), {
              d: r.d,
              attributes: r.et ? [{ name: 'et', value: r.et }] : [],
              links: r.links.map((l, k) => link(`/${k}`, l.rt?.join(' '), l.iface)),
            }),
          );
          for (const r of all) await s.put(r);
          for (const id of dels) await s.delete(String(id));
          const live = all.filter((r) => !dels.includes(Number(r.id)));
          const expected = live.filter((r) => registrationMatches(r, crit)).map((r) => r.id);
          const got = [...(await s.candidates(crit))].filter((r) => registrationMatches(r, crit)).map((r) => r.id);
          expect(got.sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
