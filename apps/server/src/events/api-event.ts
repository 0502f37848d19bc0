/** What the live stream (SSE and WebSocket) carries: plain JSON values, one `type` each. */
import type { NodeJson } from '../api/node-json';
import type { RegistrationJson } from '../api/registration-json-shape';
import type { ApiEventType, CoapLogEntry } from './event-stream-shapes';

export { API_EVENT_TYPES, type ApiEventType, type CoapLogEntry } from './event-stream-shapes';

export type ApiEvent =
  | { type: 'registered'; endpoint: string; registration: RegistrationJson }
  | { type: 'updated'; endpoint: string; registration: RegistrationJson }
  | { type: 'deregistered'; endpoint: string; registrationId: string; reason: string }
  | { type: 'sleeping' | 'awake'; endpoint: string }
  | {
      type: 'notification';
      endpoint: string;
      observationId: string;
      paths: readonly string[];
      code: string;
      content?: NodeJson;
      compositeContent?: Record<string, NodeJson>;
      at: number;
    }
  | { type: 'send'; endpoint: string; content: Record<string, NodeJson>; at: number }
  | { type: 'observation-cancelled'; endpoint: string; observationId: string; paths: readonly string[]; reason: string }
  | {
      type: 'queue';
      endpoint: string;
      queuedRequestId: string;
      outcome: 'delivered' | 'failed' | 'dropped';
      detail: string;
    }
  | { type: 'coap'; endpoint: string; entry: CoapLogEntry }
  | { type: 'bootstrap'; endpoint: string; phase: 'started' | 'finished' | 'failed'; detail: string };

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type IsTrue<T extends true> = T;
/** Compiles only while every event's type is in API_EVENT_TYPES and every name there is an event's type. */
export type EventTypesListed = IsTrue<Same<ApiEvent['type'], ApiEventType>>;
