/**
 * The cluster's fire-and-forget writes of one event-loop turn (event XADDs, ownership claims and
 * releases) sent as one ioredis pipeline: one socket write and one read of the replies for all of
 * them, instead of a write per command (a syscall, and a wake-up of redis-server, each). The
 * registration service emits a whole batch of events in one turn, so under load many go at once;
 * a turn with a single write sends it as a plain command (a pipeline costs more than it saves).
 * Commands keep their call order on the connection, so a node's events still enter the stream in
 * the order it emitted them and a release never overtakes the claim before it. Reads do not go
 * here: a command sent directly on the connection may overtake a batch that is not sent yet.
 */
import type { ChainableCommander, Redis } from 'ioredis';

/** Adds exactly one command to `target` (the connection itself, or a pipeline). */
export type QueuedCommand = (target: Redis | ChainableCommander) => unknown;

type Entry = {
  readonly add: QueuedCommand;
  resolve(value: unknown): void;
  reject(error: unknown): void;
};

export class WriteBatch {
  readonly #redis: Redis;
  #entries: Entry[] = [];

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /**
   * `add` issues exactly one command on the target it is given; the promise settles with its
   * reply once the batch (sent at the end of this turn, after pending I/O callbacks) is answered.
   */
  queue(add: QueuedCommand): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#entries.length === 0) setImmediate(() => this.flush());
      this.#entries.push({ add, resolve, reject });
    });
  }

  /** Sends what is queued now (before closing the connection, say). */
  flush(): void {
    const entries = this.#entries;
    if (entries.length === 0) return;
    this.#entries = [];
    if (entries.length === 1) {
      const [only] = entries as [Entry];
      let reply: unknown;
      try {
        reply = only.add(this.#redis);
      } catch (error) {
        only.reject(error);
        return;
      }
      if (reply instanceof Promise) reply.then(only.resolve, only.reject);
      else only.reject(new Error('WriteBatch: a queued write must issue exactly one command'));
      return;
    }
    const pipeline = this.#redis.pipeline();
    // Replies are matched to callers by position: each entry takes the reply of the command it added.
    const sent: [Entry, number][] = [];
    for (const entry of entries) {
      const before = pipeline.length;
      try {
        entry.add(pipeline);
      } catch (error) {
        entry.reject(error);
        continue;
      }
      if (pipeline.length === before + 1) sent.push([entry, before]);
      else entry.reject(new Error('WriteBatch: a queued write must issue exactly one command'));
    }
    if (sent.length === 0) return;
    pipeline.exec().then(
      (results) => {
        for (const [entry, i] of sent) {
          const [error, value] = results?.[i] ?? [new Error('no reply in the batch'), undefined];
          if (error) entry.reject(error);
          else entry.resolve(value);
        }
      },
      (error: unknown) => {
        for (const [entry] of sent) entry.reject(error);
      },
    );
  }
}
