/**
 * The cluster's fire-and-forget writes of one event-loop turn (event XADDs, ownership claims and
 * releases) sent as one ioredis pipeline: one socket write and one read of the replies for all of
 * them, instead of a write per command (a syscall, and a wake-up of redis-server, each). The
 * registration service emits a whole batch of events in one turn, so under load many go at once.
 * Commands keep their call order on the connection, so a node's events still enter the stream in
 * the order it emitted them and a release never overtakes the claim before it. Reads do not go
 * here: a command sent directly on the connection may overtake a batch that is not sent yet.
 */
import type { ChainableCommander, Redis } from 'ioredis';

type Waiter = { resolve(value: unknown): void; reject(error: unknown): void };

export class WriteBatch {
  readonly #redis: Redis;
  #pipeline: ChainableCommander | undefined;
  #waiters: Waiter[] = [];

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  /**
   * `add` appends exactly one command to the pipeline; the promise settles with its reply once
   * the batch (sent at the end of this turn, after pending I/O callbacks) is answered.
   */
  queue(add: (pipeline: ChainableCommander) => unknown): Promise<unknown> {
    if (this.#pipeline === undefined) {
      this.#pipeline = this.#redis.pipeline();
      setImmediate(() => this.flush());
    }
    const before = this.#pipeline.length;
    add(this.#pipeline);
    // One waiter per command: replies are matched to callers by position.
    if (this.#pipeline.length !== before + 1) throw new Error('WriteBatch.queue: add exactly one command');
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Sends what is queued now (before closing the connection, say). */
  flush(): void {
    const pipeline = this.#pipeline;
    const waiters = this.#waiters;
    if (pipeline === undefined) return;
    this.#pipeline = undefined;
    this.#waiters = [];
    pipeline.exec().then(
      (results) => {
        waiters.forEach((w, i) => {
          const [error, value] = results?.[i] ?? [new Error('no reply in the batch'), undefined];
          if (error) w.reject(error);
          else w.resolve(value);
        });
      },
      (error: unknown) => {
        for (const w of waiters) w.reject(error);
      },
    );
  }
}
