/**
 * LwM2M Server object (1): one instance per management server. Its executable resources drive
 * the client: Disable (4), Registration Update Trigger (8), Bootstrap-Request Trigger (9).
 */
import type { InstanceBinding } from '../enabler/instance-enabler';
import { SimpleInstance } from '../enabler/simple-instance';

export interface ServerInstanceOptions {
  readonly shortServerId: number;
  /** Registration lifetime (s), default 86400. */
  readonly lifetime?: number;
  /** "U", "T", "UQ" (1.0), ...; default "U". */
  readonly binding?: string;
  readonly defaultPmin?: number;
  readonly defaultPmax?: number;
  /** Disable Timeout (s), default 86400. */
  readonly disableTimeout?: number;
  /** Notification Storing When Disabled or Offline, default true. */
  readonly storeNotifications?: boolean;
  /** Bootstrap on Registration Failure (1.1), default true. */
  readonly bootstrapOnFailure?: boolean;
  /** Communication Retry Count / Retry Timer (s) / Sequence Delay Timer (s) / Sequence Retry Count. */
  readonly retryCount?: number;
  readonly retryTimer?: number;
  readonly sequenceDelay?: number;
  readonly sequenceRetryCount?: number;
  /** Mute Send (1.1): the client must not use Send towards this server. */
  readonly muteSend?: boolean;
}

export class ServerInstance extends SimpleInstance {
  private control: InstanceBinding['control'] | undefined;

  constructor(o: ServerInstanceOptions = { shortServerId: 1 }) {
    super({
      values: {
        0: o.shortServerId,
        1: o.lifetime ?? 86400,
        2: o.defaultPmin,
        3: o.defaultPmax,
        5: o.disableTimeout,
        6: o.storeNotifications ?? true,
        7: o.binding ?? 'U',
        16: o.bootstrapOnFailure,
        17: o.retryCount,
        18: o.retryTimer,
        19: o.sequenceDelay,
        20: o.sequenceRetryCount,
        23: o.muteSend,
      },
      execute: {
        4: () => {
          const seconds = Number(this.value(5) ?? 86400);
          this.control?.disableServer(Number(this.value(0)), seconds);
        },
        8: () => this.control?.triggerUpdate(Number(this.value(0))),
        9: () => this.control?.requestBootstrap(),
      },
    });
  }

  override bind(binding: InstanceBinding): void {
    super.bind(binding);
    this.control = binding.control;
    // Resources 9 (1.1+) and 23 exist only in newer versions of the object.
    if (!binding.model.resources.has(9)) this.hideExecute(9);
  }

  private hideExecute(id: number): void {
    this.hidden.add(id);
  }

  private readonly hidden = new Set<number>();

  override resourceIds(): number[] {
    return super.resourceIds().filter((id) => !this.hidden.has(id) && this.model.resources.has(id));
  }
}

/** A Server instance. */
export const serverInstance = (o: ServerInstanceOptions): ServerInstance => new ServerInstance(o);
