/**
 * Appends a node's events to the cluster stream, the events of one event-loop turn in one script
 * call (one ioredis command, one reply) instead of an `XADD` each: a busy node emits notifications
 * in bursts (every datagram of a poll phase), and per-command client work, not Redis, was most of
 * an append's cost. Entries keep their call order (one script adds them in order; calls go out on
 * one connection in order), so a node's events still enter the stream in the order it emitted them.
 */
import type { Redis } from 'ioredis';

/** KEYS: stream. ARGV: max length, then per entry: node, s, t, ep, e -> the entries' ids. */
const APPEND = `
local maxLength = ARGV[1]
local ids = {}
for i = 2, #ARGV, 5 do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxLength, '*',
    'node', ARGV[i], 's', ARGV[i + 1], 't', ARGV[i + 2], 'ep', ARGV[i + 3], 'e', ARGV[i + 4])
end
return ids
`;
const APPEND_COMMAND = 'lwm2mClusterAppendEvents';
/** Entries per script call at most (bounds one call's time in Redis). */
const MAX_BATCH = 256;

/** node, s (publisher sequence), t (type), ep (endpoint), e (JSON). */
export type EventFields = readonly [string, string, string, string, string];

type Pending = { readonly fields: EventFields; readonly failed: (error: unknown) => void };
type AppendCommand = (stream: string, ...args: (string | number)[]) => Promise<unknown>;

export class EventAppender {
  readonly #redis: Redis;
  readonly #stream: string;
  readonly #maxLength: number;
  #batch: Pending[] = [];

  constructor(redis: Redis, stream: string, maxLength: number) {
    this.#redis = redis;
    this.#stream = stream;
    this.#maxLength = maxLength;
    // EVALSHA once the connection has the script; ioredis loads it again after a Redis restart.
    if (!(APPEND_COMMAND in redis)) redis.defineCommand(APPEND_COMMAND, { numberOfKeys: 1, lua: APPEND });
  }

  /** Queues an entry; it is sent at the end of this turn. `failed` hears why, if it is not stored. */
  append(fields: EventFields, failed: (error: unknown) => void): void {
    if (this.#batch.length === 0) setImmediate(() => this.flush());
    this.#batch.push({ fields, failed });
    if (this.#batch.length >= MAX_BATCH) this.flush();
  }

  /** Sends what is queued now (before the connection closes, say). */
  flush(): void {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    const args: (string | number)[] = [this.#maxLength];
    for (const { fields } of batch) args.push(...fields);
    const command = (this.#redis as unknown as Record<string, AppendCommand>)[APPEND_COMMAND]!;
    command.call(this.#redis, this.#stream, ...args).catch((error: unknown) => {
      for (const { failed } of batch) failed(error);
    });
  }
}
