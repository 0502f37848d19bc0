/** Shapes of the REST API's answers (see /api/openapi.json). */
export interface Registration {
  endpoint: string;
  registrationId: string;
  address: string;
  port: number;
  lifetime: number;
  lwm2mVersion: string;
  binding: string;
  queueMode: boolean;
  sleeping: boolean;
  secured: boolean;
  securityMode?: string;
  transport?: string;
  registeredAt: string;
  lastUpdate: string;
  expiresAt: string;
  objects: { id: number; version: string; instances: number[] }[];
}

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

export interface CoapLogEntry {
  at: number;
  direction: 'in' | 'out';
  peer: string;
  type: string;
  code: string;
  messageId: number;
  token: string;
  path: string;
  query: string;
  contentFormat?: number;
  observe?: number;
  payloadBytes: number;
  payload: string;
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
