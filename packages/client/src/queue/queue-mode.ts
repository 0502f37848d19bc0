/**
 * Queue mode's awake/asleep cycle: after the last exchange the client stays awake for the
 * awake time (default MAX_TRANSMIT_WAIT, 93 s), then sleeps (its SleepGates drop inbound
 * frames); a Register, Update or Send wakes it first.
 */
import type { Clock } from '@lwm2m-ts/coap';
import type { ClientEventEmitter } from '../client-events';
import type { SleepState } from './sleep-gate';

export interface QueueModeOptions {
  /** How long the client stays awake after its last exchange before sleeping (ms); default 93 s (MAX_TRANSMIT_WAIT). */
  readonly awakeTimeMs?: number;
}

export interface QueueModeDeps {
  readonly clock: Clock;
  readonly events: ClientEventEmitter;
  /** Queue mode options; undefined: the client never sleeps on its own. */
  readonly options: QueueModeOptions | undefined;
  /** MAX_TRANSMIT_WAIT of the endpoint, when there is one yet. */
  maxTransmitWaitMs(): number | undefined;
  /** Before sleeping: park sessions (DTLS disconnect, kept resumable). */
  park(): void;
  /** Whether the client runs (no timers before start or after stop). */
  running(): boolean;
}

export class QueueMode {
  /** Shared with every SleepGate of the client. */
  readonly state: SleepState = { asleep: false };
  private timer: unknown;

  constructor(private readonly d: QueueModeDeps) {}

  get enabled(): boolean {
    return this.d.options !== undefined;
  }

  get asleep(): boolean {
    return this.state.asleep;
  }

  sleep(): void {
    if (this.state.asleep) return;
    this.cancel();
    this.state.asleep = true;
    this.d.events.emit('sleeping', {});
    this.d.park();
  }

  wake(): void {
    if (this.state.asleep) {
      this.state.asleep = false;
      this.d.events.emit('awake', {});
    }
    this.touch();
  }

  /** Activity: restart the awake timer. */
  touch(): void {
    if (!this.d.options || !this.d.running()) return;
    this.cancel();
    this.timer = this.d.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.sleep();
      },
      this.d.options.awakeTimeMs ?? this.d.maxTransmitWaitMs() ?? 93_000,
    );
  }

  /** Stops the awake timer and leaves the client awake (shutdown). */
  stop(): void {
    this.cancel();
    this.state.asleep = false;
  }

  private cancel(): void {
    if (this.timer !== undefined) this.d.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
