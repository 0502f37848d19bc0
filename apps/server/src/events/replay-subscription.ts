/**
 * A live subscription that first replays what the subscriber missed (SSE Last-Event-ID or
 * `?since=`): live events are held back while the replay is read, then those not replayed
 * already follow, so nothing is lost or doubled at the seam. Hubs without a replayable stream
 * (single node) just subscribe.
 */
import type { EventDelivery, EventFilter, EventHub } from './event-hub';

export function subscribeWithReplay(
  hub: EventHub,
  filter: EventFilter,
  since: string | undefined,
  deliver: EventDelivery,
): () => void {
  if (since === undefined || since === '') return hub.subscribe(filter, deliver);
  let held: { event: Parameters<EventDelivery>[0]; id: string | undefined; json: string | undefined }[] | undefined =
    [];
  let lastId = since;
  let closed = false;
  const unsubscribe = hub.subscribe(filter, (event, id, json) => {
    if (held) held.push({ event, id, json });
    else deliver(event, id, json);
  });
  const release = () => {
    const pending = held ?? [];
    held = undefined;
    for (const { event, id, json } of pending) {
      if (closed) return;
      if (id === undefined || compareStreamIds(id, lastId) > 0) deliver(event, id, json);
    }
  };
  hub.replay(since, filter).then(
    (entries) => {
      for (const { id, event } of entries ?? []) {
        if (closed) return;
        deliver(event, id);
        lastId = id;
      }
      release();
    },
    () => release(),
  );
  return () => {
    closed = true;
    unsubscribe();
  };
}

/** Orders two Redis stream ids ("ms-seq"): negative when `a` is older. */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
