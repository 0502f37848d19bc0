/** Bounded iteration over big keys: SCAN-family cursors in pages, never one unbounded reply. */
import type { Redis } from 'ioredis';

const PAGE = 500;

/** Members of a sorted set (each once), page by page. */
export async function* zsetMembers(redis: Redis, key: string): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(key, cursor, 'COUNT', PAGE);
    cursor = next;
    const page: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const member = flat[i]!;
      if (!seen.has(member)) {
        seen.add(member);
        page.push(member);
      }
    }
    if (page.length > 0) yield page;
  } while (cursor !== '0');
}

/** Members of a set (each once), page by page. */
export async function* setMembers(redis: Redis, key: string): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, members] = await redis.sscan(key, cursor, 'COUNT', PAGE);
    cursor = next;
    const page = members.filter((m) => !seen.has(m) && seen.add(m));
    if (page.length > 0) yield page;
  } while (cursor !== '0');
}

/** Field/value pairs of a hash (each field once), page by page. */
export async function* hashEntries(redis: Redis, key: string): AsyncGenerator<[string, string][]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', PAGE);
    cursor = next;
    const page: [string, string][] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const field = flat[i]!;
      if (!seen.has(field)) {
        seen.add(field);
        page.push([field, flat[i + 1]!]);
      }
    }
    if (page.length > 0) yield page;
  } while (cursor !== '0');
}
