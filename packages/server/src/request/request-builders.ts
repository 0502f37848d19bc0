/**
 * Builds and validates downlink requests from user input. Misuse (a path of the wrong level,
 * an execute argument that cannot be encoded) throws `InvalidRequestError` before anything is sent.
 */
import { LwM2mPath, type LwM2mPathLevel } from '@lwm2m-ts/objects';
import type { ExecuteArgument, NotificationAttributes, PathInput } from './downlink-requests';
import { ATTRIBUTE_NAMES } from './downlink-requests';

const marker = Symbol.for('lwm2m-ts.server.invalid-request-error');

export class InvalidRequestError extends Error {
  readonly [marker] = true;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
  static isInstance(value: unknown): value is InvalidRequestError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

export function toPath(input: PathInput): LwM2mPath {
  if (typeof input !== 'string') return input;
  const path = LwM2mPath.tryParse(input);
  if (!path) throw new InvalidRequestError(`"${input}" is not an LwM2M path (/o, /o/i, /o/i/r or /o/i/r/ri)`);
  return path;
}

/** Parses and checks the path level for an operation. */
export function pathFor(operation: string, input: PathInput, levels: readonly LwM2mPathLevel[]): LwM2mPath {
  const path = toPath(input);
  if (!levels.includes(path.level)) {
    throw new InvalidRequestError(`${operation} needs a ${levels.join(' or ')} path, got ${path.level} path ${path}`);
  }
  return path;
}

/** LwM2M Execute argument list: `0='value',1` (digits 0..9, values without quotes). */
export function encodeExecuteArguments(args: readonly ExecuteArgument[]): string {
  return args
    .map(({ id, value }) => {
      if (!Number.isInteger(id) || id < 0 || id > 9)
        throw new InvalidRequestError(`execute argument id must be 0..9, got ${id}`);
      if (value === undefined) return String(id);
      if ([...value].some((c) => c === "'" || c.charCodeAt(0) < 0x20))
        throw new InvalidRequestError(`execute argument ${id} may not contain quotes or control characters`);
      return `${id}='${value}'`;
    })
    .join(',');
}

/** Write-Attributes query items (`pmin=10`, `gt=20.5`, `pmax` to remove). */
export function encodeAttributes(attributes: NotificationAttributes): string[] {
  const query: string[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (!(ATTRIBUTE_NAMES as readonly string[]).includes(name))
      throw new InvalidRequestError(`unknown attribute "${name}"`);
    if (value === undefined) continue;
    if (value === null) {
      query.push(name);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new InvalidRequestError(`attribute ${name} must be a finite number`);
    const integral = name !== 'gt' && name !== 'lt' && name !== 'st';
    if (integral && (!Number.isInteger(value) || value < 0)) {
      throw new InvalidRequestError(`attribute ${name} must be a non-negative integer, got ${value}`);
    }
    query.push(`${name}=${value}`);
  }
  if (query.length === 0) throw new InvalidRequestError('Write-Attributes needs at least one attribute');
  return query;
}
