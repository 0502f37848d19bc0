/**
 * The names of the live stream's events and its CoAP log entry. No imports: the web UI
 * (ui/src) imports this file too, and its build sees neither node nor workspace packages.
 */
export const API_EVENT_TYPES = [
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
] as const;
export type ApiEventType = (typeof API_EVENT_TYPES)[number];

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
