/**
 * One blocking `XREAD` loop on its own connection over several Redis streams (RPC requests,
 * RPC replies, events), each with a handler. It starts at the streams' current end ('$'), keeps
 * each stream's last id, and after a connection error (Redis restarting) waits and reads on from
 * there, so nothing that reached Redis is skipped while the node was reconnecting.
 */
import type { Redis } from 'ioredis';

export type StreamEntry = { readonly id: string; readonly fields: Readonly<Record<string, string>> };
export type StreamHandler = (entry: StreamEntry) => void;

export interface StreamReaderOptions {
  /** Block time of one XREAD (ms, default 1000): also how long `stop()` may wait. */
  readonly blockMs?: number;
  /** Entries per XREAD and stream (default 200). */
  readonly count?: number;
  readonly onError?: (error: unknown) => void;
}

export class StreamReader {
  readonly #redis: Redis;
  readonly #handlers = new Map<string, StreamHandler>();
  readonly #lastIds = new Map<string, string>();
  readonly #blockMs: number;
  readonly #count: number;
  readonly #onError: (error: unknown) => void;
  #running = false;
  #loop: Promise<void> | undefined;

  /** `redis` must be a connection of its own: XREAD BLOCK holds it. */
  constructor(redis: Redis, options: StreamReaderOptions = {}) {
    this.#redis = redis;
    this.#blockMs = options.blockMs ?? 1000;
    this.#count = options.count ?? 200;
    this.#onError = options.onError ?? (() => {});
  }

  /** Adds a stream (before `start`), read from `fromId` (exclusive; default: only new entries). */
  add(stream: string, handler: StreamHandler, fromId?: string): void {
    this.#handlers.set(stream, handler);
    if (fromId !== undefined) this.#lastIds.set(stream, fromId);
  }

  /** Fixes the start of every stream without an explicit id at its current last entry. */
  async start(): Promise<void> {
    for (const stream of this.#handlers.keys()) {
      if (this.#lastIds.has(stream)) continue;
      const last = (await this.#redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0];
      this.#lastIds.set(stream, last ? last[0] : '0-0');
    }
    this.#running = true;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const streams = [...this.#handlers.keys()];
    let failures = 0;
    while (this.#running) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.#redis.xread(
          'COUNT',
          this.#count,
          'BLOCK',
          this.#blockMs,
          'STREAMS',
          ...streams,
          ...streams.map((s) => this.#lastIds.get(s) ?? '0-0'),
        )) as [string, [string, string[]][]][] | null;
      } catch (error) {
        if (!this.#running) return;
        // One report per outage; retries back off from 100 ms to 1 s.
        if (failures++ === 0) this.#onError(error);
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 4), 1000)));
        continue;
      }
      failures = 0;
      for (const [stream, entries] of reply ?? []) {
        const handler = this.#handlers.get(stream);
        for (const [id, flat] of entries) {
          this.#lastIds.set(stream, id);
          const fields: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
          try {
            handler?.({ id, fields });
          } catch (error) {
            this.#onError(error);
          }
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    // Unblock the pending XREAD at once.
    this.#redis.disconnect();
    await this.#loop?.catch(() => undefined);
  }
}
