const marker = Symbol.for('lwm2m-ts.server.client-sleeping-error');

/**
 * The device is in queue mode and asleep: the request was queued (see `server.queue`) and will be
 * sent when it wakes; its outcome arrives as a `queuedResponse` event carrying `queuedRequestId`.
 */
export class ClientSleepingError extends Error {
  readonly [marker] = true;
  constructor(
    readonly endpoint: string,
    readonly queuedRequestId: string,
  ) {
    super(`"${endpoint}" is sleeping (queue mode); request queued as ${queuedRequestId}`);
    this.name = 'ClientSleepingError';
  }
  static isInstance(value: unknown): value is ClientSleepingError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
