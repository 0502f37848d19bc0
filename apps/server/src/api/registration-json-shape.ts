/**
 * A registration as the REST API and the event stream show it. No imports: the web UI
 * (ui/src/types.ts) imports this type too, and its build sees neither node nor workspace packages.
 */
export interface RegistrationJson {
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
  /** Transport scheme the client registered over: coap, coap+tcp, coap+ws, ... */
  transport?: string;
  smsNumber?: string;
  registeredAt: string;
  lastUpdate: string;
  expiresAt: string;
  rootPath: string;
  contentFormats: number[];
  /** Supported objects: id, version, instance ids. */
  objects: { id: number; version: string; instances: number[] }[];
  objectLinks: string;
  additionalAttributes: Record<string, string>;
}
