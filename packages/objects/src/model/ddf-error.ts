const MARKER = Symbol.for('lwm2m-ts.objects.DdfError');

/**
 * A DDF document that cannot be read as LwM2M object definitions: malformed XML, a missing
 * required element, or a value outside what LWM2M.xsd allows. Says which document
 * (`source`, a file name when known) and which element (`element`, a path such as
 * `LWM2M/Object[0]/Resources/Item[ID=5]/Type`).
 */
export class DdfError extends Error {
  readonly [MARKER] = true;
  override readonly name = 'DdfError';

  constructor(
    readonly problem: string,
    readonly source: string | undefined,
    readonly element: string | undefined,
    readonly line?: number,
  ) {
    const where = [source ?? '<ddf>', line !== undefined ? `line ${line}` : undefined, element]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`${where}: ${problem}`);
  }

  static isInstance(value: unknown): value is DdfError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}
