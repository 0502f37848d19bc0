const marker = Symbol.for('lwm2m-ts.server-app.forward-timeout-error');

/** The node owning a device did not answer a forwarded request in time (HTTP 504). */
export class ForwardTimeoutError extends Error {
  readonly [marker] = true;
  readonly nodeId: string;
  readonly timeoutMs: number;
  constructor(nodeId: string, timeoutMs: number) {
    super(`cluster node "${nodeId}", which owns this device, did not answer within ${timeoutMs} ms`);
    this.name = 'ForwardTimeoutError';
    this.nodeId = nodeId;
    this.timeoutMs = timeoutMs;
  }
  static isInstance(error: unknown): error is ForwardTimeoutError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
