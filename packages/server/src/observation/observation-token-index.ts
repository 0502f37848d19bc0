/**
 * The by-token lookup a shared observation store may offer (store-redis does): which observation
 * a CoAP token belongs to, so a notification reaching another server node than the one that made
 * the observation (cluster failover) is matched instead of rejected. Optional: the in-memory
 * store has no need for it (one process knows its own tokens).
 */
import type { ObservationInfo } from './observation';
import type { ObservationStore } from './observation-store';

export interface ObservationTokenIndex {
  /** Records the token an observation's notifications carry (a new one replaces the old). */
  bindToken(observationId: string, token: Uint8Array): Promise<boolean>;
  getByToken(token: Uint8Array): Promise<ObservationInfo | undefined>;
}

/** The store's token index, when it has one. */
export function tokenIndexOf(store: ObservationStore): ObservationTokenIndex | undefined {
  const candidate = store as Partial<ObservationTokenIndex>;
  return typeof candidate.bindToken === 'function' && typeof candidate.getByToken === 'function'
    ? (store as ObservationStore & ObservationTokenIndex)
    : undefined;
}
