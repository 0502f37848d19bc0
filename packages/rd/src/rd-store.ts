/** Where registrations live. The in-memory default is MemoryRdStore; a cluster uses a shared store. */
import type { Criterion } from './query';
import type { Registration } from './registration';

export interface RdStore {
  get(id: string): Promise<Registration | undefined>;
  /** The registration of endpoint `ep` in sector `d`. */
  findByName(ep: string, d: string | undefined): Promise<Registration | undefined>;
  /** Inserts, or replaces the registration with the same id. */
  put(registration: Registration): Promise<void>;
  /** Removes and returns the registration. */
  delete(id: string): Promise<Registration | undefined>;
  /**
   * Registrations that may match `criteria` (a superset: the caller filters exactly), in a
   * stable order. A store answers from an index where one applies instead of listing all.
   */
  candidates(criteria: readonly Criterion[]): Promise<Iterable<Registration>>;
  /** Removes and returns every registration with `expiresAt <= now`. */
  takeExpired(now: number): Promise<Registration[]>;
  /** Earliest `expiresAt`, or undefined when empty. */
  nextExpiry(): Promise<number | undefined>;
  size(): Promise<number>;
}
