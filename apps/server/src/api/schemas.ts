/** JSON schemas shared by the routes (validation and the OpenAPI document). */

import { errorBodySchema } from './api-errors';
import { FORMAT_NAMES } from './content-formats';

export const endpointParam = { type: 'string', minLength: 1, maxLength: 255 } as const;
export const idParam = { type: 'string', pattern: '^(0|[1-9][0-9]{0,4})$' } as const;

export const formatQuery = {
  type: 'string',
  enum: [...FORMAT_NAMES],
  description: "Content format asked of the device (default: the client's preferred one).",
} as const;
export const timeoutQuery = {
  type: 'number',
  minimum: 0.1,
  maximum: 600,
  description: 'Seconds to wait for the device (default: CoAP exchange lifetime).',
} as const;

const scalar = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] };
export const nodeJsonSchema = {
  type: 'object',
  description:
    'An LwM2M node: {kind:"object", id, instances}, {kind:"object-instance", id, resources}, ' +
    '{kind:"resource", id, type, value} or {kind:"resource", id, type, multiple:true, values:{"0":..}}, ' +
    '{kind:"resource-instance", id, type, value}. 64-bit integers beyond 2^53 are strings, opaque is hex, objlnk "o:i".',
  properties: {
    kind: { type: 'string', enum: ['object', 'object-instance', 'resource', 'resource-instance'] },
    id: { type: 'integer' },
    type: { type: 'string' },
    value: scalar,
    values: { type: 'object', additionalProperties: scalar },
    multiple: { type: 'boolean' },
    resources: { type: 'array', items: { type: 'object', additionalProperties: true } },
    instances: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
  additionalProperties: true,
} as const;

/** Error responses every client operation may give. */
export const operationErrors = {
  400: errorBodySchema,
  401: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  504: errorBodySchema,
} as const;

export const okBody = {
  type: 'object',
  properties: { endpoint: { type: 'string' }, path: { type: 'string' }, code: { type: 'string' } },
} as const;
