import type { LwM2mPath } from '../path/lwm2m-path';

/** Why a node, value or request does not fit the object model. */
export type ValidationCode =
  /** No model for the object (the caller's registry has no such id/version). */
  | 'unknown-object'
  /** The object model has no such resource. */
  | 'unknown-resource'
  /** The node does not sit where the path says (other level or other id). */
  | 'path-mismatch'
  /** Single vs multiple instances differ from the model. */
  | 'multiplicity'
  /** The value type differs from the resource type (or the resource is executable and holds no value). */
  | 'type'
  /** The value is outside the resource's range or enumeration (length range for String and Opaque). */
  | 'range'
  /** A mandatory writable resource is absent on create or replace. */
  | 'missing-mandatory'
  | 'not-readable'
  | 'not-writable'
  | 'not-executable'
  /** The operation needs a resource path (execute) or cannot target this level. */
  | 'wrong-level';

/**
 * The response an LwM2M client would answer with for a code (LwM2M Core: 4.04 for unknown
 * targets, 4.05 for operations the resource does not allow, 4.00 for bad content).
 */
export type SuggestedResponse = 'bad-request' | 'not-found' | 'method-not-allowed';

export interface ValidationProblem {
  /** The node that failed: the resource (/o/i/r), resource instance or object instance. */
  readonly path: LwM2mPath;
  readonly code: ValidationCode;
  /** What is wrong, for logs and diagnostic payloads: "resource /3/0/13 (Current Time): expected time, got string". */
  readonly message: string;
  readonly response: SuggestedResponse;
}

const RESPONSES: Readonly<Record<ValidationCode, SuggestedResponse>> = {
  'unknown-object': 'not-found',
  'unknown-resource': 'not-found',
  'path-mismatch': 'bad-request',
  multiplicity: 'bad-request',
  type: 'bad-request',
  range: 'bad-request',
  'missing-mandatory': 'bad-request',
  'not-readable': 'method-not-allowed',
  'not-writable': 'method-not-allowed',
  'not-executable': 'method-not-allowed',
  'wrong-level': 'method-not-allowed',
};

export function problem(path: LwM2mPath, code: ValidationCode, message: string): ValidationProblem {
  return { path, code, message, response: RESPONSES[code] };
}
