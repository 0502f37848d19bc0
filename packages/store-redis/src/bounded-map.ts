/**
 * Drops the `count` oldest entries of a Map (insertion order) in one pass. Evicting in blocks,
 * not one entry per insert, keeps a full cache from walking over the holes that deletions at
 * the front leave in the Map's table on every insert.
 */
export function dropOldest<K, V>(map: Map<K, V>, count: number): void {
  let left = Math.max(1, Math.floor(count));
  for (const key of map.keys()) {
    map.delete(key);
    if (--left === 0) return;
  }
}
