/**
 * Request/response between nodes over Redis streams: node X reads its request stream
 * `cluster:rpc:{X}` and answers on the caller's reply stream `cluster:reply:{caller}`, matched by
 * a correlation id. A call that gets no answer within its timeout fails with
 * `ForwardTimeoutError`; a request whose deadline passed before the owner read it is dropped.
 * Both streams are capped (MAXLEN ~), so a dead node's inbox does not grow without bound.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ForwardTimeoutError } from './forward-timeout-error';
import type { StreamEntry, StreamReader } from './stream-reader';

const STREAM_CAP = 1000;

export type RpcHandler = (body: string, from: string) => Promise<string>;

interface Pending {
  readonly resolve: (body: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface ForwardingRpcOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly nodeId: string;
  readonly handler: RpcHandler;
  readonly onError?: (error: unknown) => void;
}

export class ForwardingRpc {
  readonly #o: ForwardingRpcOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: ForwardingRpcOptions) {
    this.#o = options;
  }

  requestStream(nodeId: string): string {
    return `${this.#o.prefix}cluster:rpc:${nodeId}`;
  }
  replyStream(nodeId: string): string {
    return `${this.#o.prefix}cluster:reply:${nodeId}`;
  }

  /** Subscribes this node's request and reply streams on the reader. */
  attach(reader: StreamReader): void {
    reader.add(this.requestStream(this.#o.nodeId), (entry) => this.#serve(entry));
    reader.add(this.replyStream(this.#o.nodeId), (entry) => this.#answered(entry));
  }

  /** Sends `body` to node `target`; resolves with its answer or rejects after `timeoutMs`. */
  async call(target: string, body: string, timeoutMs: number): Promise<string> {
    const id = randomUUID();
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ForwardTimeoutError(target, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    try {
      await this.#o.redis.xadd(
        this.requestStream(target),
        'MAXLEN',
        '~',
        STREAM_CAP,
        '*',
        'id',
        id,
        'from',
        this.#o.nodeId,
        'deadline',
        String(Date.now() + timeoutMs),
        'body',
        body,
      );
    } catch (error) {
      const pending = this.#pending.get(id);
      if (pending) {
        clearTimeout(pending.timer);
        this.#pending.delete(id);
      }
      throw error;
    }
    return answer;
  }

  #serve(entry: StreamEntry): void {
    const { id, from, deadline, body } = entry.fields;
    if (!id || !from || body === undefined) return;
    if (Number(deadline) < Date.now()) return; // the caller gave up already
    this.#o
      .handler(body, from)
      .then((answer) =>
        this.#o.redis.xadd(this.replyStream(from), 'MAXLEN', '~', STREAM_CAP, '*', 'id', id, 'body', answer),
      )
      .catch((error) => this.#o.onError?.(error));
  }

  #answered(entry: StreamEntry): void {
    const { id, body } = entry.fields;
    if (!id || body === undefined) return;
    const pending = this.#pending.get(id);
    if (!pending) return; // timed out here already
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(body);
  }

  /** Fails every call still waiting (the node stops). */
  close(): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('cluster node stopping'));
      this.#pending.delete(id);
    }
  }
}
