/** Shapes of the REST API's answers (see /api/openapi.json); the server's own types where they have no imports. */
import type { RegistrationJson as Registration } from '../../src/api/registration-json-shape';
import type { CoapLogEntry } from '../../src/events/event-stream-shapes';

export type { RegistrationJson as Registration } from '../../src/api/registration-json-shape';
export type { CoapLogEntry } from '../../src/events/event-stream-shapes';

export type Scalar = string | number | boolean;
export interface NodeJson {
  kind: 'object' | 'object-instance' | 'resource' | 'resource-instance';
  id: number;
  type?: string;
  value?: Scalar;
  multiple?: boolean;
  values?: Record<string, Scalar>;
  resources?: NodeJson[];
  instances?: NodeJson[];
}

export interface ResourceModel {
  id: number;
  name: string;
  operations: string;
  multiple: boolean;
  mandatory: boolean;
  type: string;
  units?: string;
  range?: string;
  description: string;
}

export interface ObjectModel {
  id: number;
  name: string;
  version: string;
  lwm2mVersion: string;
  urn: string;
  multiple: boolean;
  mandatory: boolean;
  resourceCount: number;
  description?: string;
  resources?: ResourceModel[];
}

export type ApiEvent =
  | { type: 'registered' | 'updated'; endpoint: string; registration: Registration }
  | { type: 'deregistered'; endpoint: string; reason: string }
  | { type: 'sleeping' | 'awake'; endpoint: string }
  | {
      type: 'notification';
      endpoint: string;
      observationId: string;
      paths: string[];
      code: string;
      content?: NodeJson;
      compositeContent?: Record<string, NodeJson>;
      at: number;
    }
  | { type: 'send'; endpoint: string; content: Record<string, NodeJson>; at: number }
  | { type: 'observation-cancelled'; endpoint: string; observationId: string; paths: string[] }
  | { type: 'queue'; endpoint: string; queuedRequestId: string; outcome: string; detail: string }
  | { type: 'coap'; endpoint: string; entry: CoapLogEntry }
  | { type: 'bootstrap'; endpoint: string; phase: string; detail: string };
