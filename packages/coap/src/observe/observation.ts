/**
 * Client side of RFC 7641: an async iterable of the registration response and every newer
 * notification (stale or reordered ones are dropped, §3.4), re-registering when Max-Age passes
 * without a notification (§3.3.1), cancelled with GET Observe=1 (or by forgetting, so the next
 * notification is answered with RST).
 */
import {
  type CoapMessage,
  createOption,
  getBlock2,
  getMaxAge,
  getObserve,
  OptionNumber,
  sortOptions,
} from '@lwm2m-ts/codec';
import type { Clock } from '../clock';
import type { ClientExchange, ResponseSink } from '../exchange';
import { CoapResponse } from '../response';
import { isNewerNotification } from './notification-order';

export interface ObservationOps {
  /** Sends the registration again on the same exchange (same token). */
  reregister(ex: ClientExchange, registration: CoapMessage): void;
  /** Sends the deregistration (GET Observe=1) on the exchange; it closes with the answer. */
  cancel(ex: ClientExchange, deregistration: CoapMessage): void;
  /** Closes the exchange without telling the peer. */
  end(ex: ClientExchange): void;
  /** Fetches the remaining blocks of a notification that carries Block2 (RFC 7959 §2.6). */
  completeNotification(ex: ClientExchange, registration: CoapMessage, first: CoapMessage): Promise<CoapMessage>;
}

/** Margin after Max-Age before re-registering (ms). */
const REREGISTER_MARGIN_MS = 2000;

interface Waiter {
  resolve(r: IteratorResult<CoapResponse>): void;
  reject(e: Error): void;
}

export class Observation implements AsyncIterable<CoapResponse>, ResponseSink {
  private readonly queue: CoapResponse[] = [];
  private readonly waiters: Waiter[] = [];
  private ex: ClientExchange | undefined;
  private registration: CoapMessage | undefined;
  /** Observe sequence number and arrival time of the newest notification (seq -1: none yet). */
  private lastSeq = -1;
  private lastAt = 0;
  private timer: unknown;
  /** When the armed timer fires (clock ms). */
  private timerDue = 0;
  /** When to re-register (clock ms): moved forward by each notification without touching the timer. */
  private reregisterAt = 0;
  private ended = false;
  private cancelling = false;
  private error: Error | undefined;
  private readonly endedWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly bufferSize: number,
    private readonly ops: ObservationOps,
  ) {}

  /** True once no further notification can come. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** @internal */
  attach(ex: ClientExchange, registration: CoapMessage): void {
    this.ex = ex;
    this.registration = registration;
  }

  onResponse(ex: ClientExchange, message: CoapMessage): void {
    if (this.ended) return;
    const peer = ex.ctx ? ex.ctx.peer : ex.peer;
    const seq = getObserve(message);
    if (this.cancelling || seq === undefined || message.code >> 5 !== 2) {
      // The final answer: deregistered, not observable, or an error ends the observation.
      if (!this.cancelling) this.push(new CoapResponse(message, peer));
      this.ops.end(ex);
      this.finish(undefined);
      return;
    }
    const now = this.clock.now();
    if (this.lastSeq >= 0 && !isNewerNotification(this.lastSeq, this.lastAt, seq, now)) return;
    this.lastSeq = seq;
    this.lastAt = now;
    this.scheduleReregistration(ex, message, now);
    const b2 = getBlock2(message);
    if (b2?.more && this.registration) {
      this.ops.completeNotification(ex, this.registration, message).then(
        (full) => {
          if (!this.ended && this.lastSeq === seq) this.push(new CoapResponse(full, peer));
        },
        () => {
          // A newer notification will come; a failed block fetch is not the observation's end.
        },
      );
      return;
    }
    this.push(new CoapResponse(message, peer));
  }

  onError(_ex: ClientExchange | undefined, error: Error): void {
    this.finish(this.cancelling ? undefined : error);
  }

  /**
   * Ends the observation. Proactive by default: GET with Observe=1 tells the server. With
   * `{ proactive: false }` the exchange is just forgotten; the next notification gets RST.
   */
  cancel(options: { proactive?: boolean } = {}): Promise<void> {
    if (this.ended) return Promise.resolve();
    const ex = this.ex;
    const done = new Promise<void>((resolve) => this.endedWaiters.push(resolve));
    this.cancelling = true;
    this.clearTimer();
    if (!ex || ex.done) this.finish(undefined);
    else if (options.proactive === false || !this.registration) {
      this.ops.end(ex);
      this.finish(undefined);
    } else {
      const reg = this.registration;
      const dereg: CoapMessage = {
        ...reg,
        options: sortOptions([
          ...reg.options.filter((o) => o.number !== OptionNumber.OBSERVE),
          createOption(OptionNumber.OBSERVE, 1),
        ]),
      };
      this.ops.cancel(ex, dereg);
    }
    return done;
  }

  [Symbol.asyncIterator](): AsyncIterator<CoapResponse> {
    return {
      next: () => {
        const r = this.queue.shift();
        if (r) return Promise.resolve({ value: r, done: false });
        if (this.ended) {
          if (this.error) {
            const e = this.error;
            this.error = undefined;
            return Promise.reject(e);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise<IteratorResult<CoapResponse>>((resolve, reject) => this.waiters.push({ resolve, reject }));
      },
      return: async () => {
        await this.cancel();
        return { value: undefined, done: true };
      },
    };
  }

  private push(r: CoapResponse): void {
    const w = this.waiters.shift();
    if (w) {
      w.resolve({ value: r, done: false });
      return;
    }
    this.queue.push(r);
    if (this.queue.length > this.bufferSize) this.queue.shift();
  }

  private finish(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.clearTimer();
    if (error) this.error = error;
    for (const w of this.waiters.splice(0)) {
      if (this.error && this.queue.length === 0) {
        w.reject(this.error);
        this.error = undefined;
      } else w.resolve({ value: undefined, done: true });
    }
    for (const r of this.endedWaiters.splice(0)) r();
  }

  /**
   * Re-registers Max-Age (+ margin) after the newest notification. One timer per observation,
   * not one per notification: a notification only moves `reregisterAt` forward; the timer, when
   * it fires early, sleeps again for the rest. It is re-armed only when the deadline moves closer.
   */
  private scheduleReregistration(ex: ClientExchange, message: CoapMessage, now: number): void {
    if (!this.registration) {
      this.clearTimer();
      return;
    }
    const due = now + getMaxAge(message) * 1000 + REREGISTER_MARGIN_MS;
    this.reregisterAt = due;
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    this.armTimer(ex, due - now, due);
  }

  private armTimer(ex: ClientExchange, delayMs: number, due: number): void {
    this.timerDue = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.ended || ex.done) return;
      const now = this.clock.now();
      if (now < this.reregisterAt) {
        this.armTimer(ex, this.reregisterAt - now, this.reregisterAt);
        return;
      }
      const reg = this.registration;
      if (reg) this.ops.reregister(ex, reg);
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
