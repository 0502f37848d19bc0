/**
 * A client's registration as the server keeps it: a plain, immutable, JSON-friendly value.
 * The object links are kept as the link-format text the client sent (compact; parsed on demand
 * by `registrationLinks()`), which keeps an in-memory registration small.
 */
import type { ClientPeer } from '../core/peer';

export type Lwm2mVersion = '1.0' | '1.1' | '1.2';
export const SUPPORTED_LWM2M_VERSIONS: readonly Lwm2mVersion[] = ['1.0', '1.1', '1.2'];

export interface Registration {
  /** Server-assigned id, the `{id}` in the `/rd/{id}` location. */
  readonly id: string;
  /** Endpoint Client Name (`ep`). */
  readonly endpoint: string;
  /** Lifetime in seconds (`lt`, default 86400). */
  readonly lifetime: number;
  readonly lwm2mVersion: Lwm2mVersion;
  /** Binding letters as sent (`b`), e.g. "U", "UQ" (1.0), "UT" (1.1+). Default "U". */
  readonly binding: string;
  /** Queue mode: `Q` parameter (1.1+) or a `Q` in the 1.0 binding. */
  readonly queueMode: boolean;
  readonly smsNumber?: string;
  /** Where the client is now (updated when an Update arrives from a new address) and who it proved to be. */
  readonly peer: ClientPeer;
  /** The registration payload (CoRE link format) as last received. */
  readonly objectLinks: string;
  /** Epoch ms of the Register. */
  readonly registeredAt: number;
  /** Epoch ms of the Register or last Update (lifetime counts from here). */
  readonly lastUpdate: number;
  /** Query parameters the server does not interpret, kept for applications. */
  readonly additionalAttributes?: Readonly<Record<string, string>>;
}

/** Epoch ms at which the registration expires unless updated. */
export const registrationExpiresAt = (registration: Registration): number =>
  registration.lastUpdate + registration.lifetime * 1000;

export const isRegistrationAlive = (registration: Registration, now: number, graceMs = 0): boolean =>
  now <= registrationExpiresAt(registration) + graceMs;

/** What an Update may change; absent fields stay as they were. */
export interface RegistrationUpdate {
  readonly lifetime?: number;
  readonly binding?: string;
  readonly queueMode?: boolean;
  readonly smsNumber?: string;
  readonly objectLinks?: string;
  readonly additionalAttributes?: Readonly<Record<string, string>>;
  /** Always present: the peer the Update came from (address changes land here). */
  readonly peer: ClientPeer;
  readonly lastUpdate: number;
}

/** Applies an update to a registration (stores use this so every store merges the same way). */
export function applyRegistrationUpdate(registration: Registration, update: RegistrationUpdate): Registration {
  const additional =
    update.additionalAttributes !== undefined
      ? { ...registration.additionalAttributes, ...update.additionalAttributes }
      : registration.additionalAttributes;
  return {
    ...registration,
    lifetime: update.lifetime ?? registration.lifetime,
    binding: update.binding ?? registration.binding,
    queueMode: update.queueMode ?? registration.queueMode,
    ...(update.smsNumber !== undefined || registration.smsNumber !== undefined
      ? { smsNumber: update.smsNumber ?? registration.smsNumber }
      : {}),
    objectLinks: update.objectLinks ?? registration.objectLinks,
    ...(additional !== undefined ? { additionalAttributes: additional } : {}),
    peer: update.peer,
    lastUpdate: update.lastUpdate,
  };
}

/** True when the client's transport address (not identity) differs. */
export const addressChanged = (before: Registration, after: Registration): boolean =>
  before.peer.key !== after.peer.key;
