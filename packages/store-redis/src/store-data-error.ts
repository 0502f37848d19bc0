const marker = Symbol.for('lwm2m-ts.store-redis.store-data-error');

/** A value cannot be stored, or what Redis holds is not a value this package wrote. */
export class StoreDataError extends Error {
  readonly [marker] = true;
  constructor(message: string) {
    super(message);
    this.name = 'StoreDataError';
  }
  static isInstance(error: unknown): error is StoreDataError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
