/** What the live stream (SSE and WebSocket) carries: plain JSON values, one `type` each. */
import type { NodeJson } from '../api/node-json';
import type { RegistrationJson } from '../api/registration-json';

export interface CoapLogEntry {
  readonly at: number;
  readonly direction: 'in' | 'out';
  readonly peer: string;
  /** "CON", "NON", "ACK", "RST" (UDP) or "" (reliable transports). */
  readonly type: string;
  /** "GET", "POST", "2.05", ... */
  readonly code: string;
  readonly messageId: number;
  readonly token: string;
  readonly path: string;
  readonly query: string;
  readonly contentFormat?: number;
  readonly observe?: number;
  readonly payloadBytes: number;
  /** Printable payload (UTF-8 text, else hex), cut at 256 characters. */
  readonly payload: string;
}

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

export type ApiEventType = ApiEvent['type'];
export const API_EVENT_TYPES: readonly ApiEventType[] = [
  'registered',
  'updated',
  'deregistered',
  'sleeping',
  'awake',
  'notification',
  'send',
  'observation-cancelled',
  'queue',
  'coap',
  'bootstrap',
];
