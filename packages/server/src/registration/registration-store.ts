/**
 * Where registrations live. The in-memory default is below; `@lwm2m-ts/store-redis` implements
 * the same interface. Methods are async so remote stores fit; the in-memory one never waits.
 */

import { type ExpiryEntry, ExpiryQueue } from './expiry-queue';
import {
  applyRegistrationUpdate,
  type Registration,
  type RegistrationUpdate,
  registrationExpiresAt,
} from './registration';

export interface RegistrationStore {
  /** Adds a registration; an existing registration of the same endpoint is replaced and returned. */
  add(registration: Registration): Promise<{ previous?: Registration }>;
  /** Applies an update to a registration by id; undefined when the id is unknown. */
  update(
    id: string,
    update: RegistrationUpdate,
  ): Promise<{ previous: Registration; updated: Registration } | undefined>;
  /** Removes a registration by id; returns it, or undefined when unknown. */
  remove(id: string): Promise<Registration | undefined>;
  getById(id: string): Promise<Registration | undefined>;
  getByEndpoint(endpoint: string): Promise<Registration | undefined>;
  /** All registrations (snapshot). */
  list(): Promise<Registration[]>;
  /** Removes and returns every registration whose lifetime (+ grace) ended before `now`. */
  removeExpired(now: number, graceMs: number): Promise<Registration[]>;
}

export class InMemoryRegistrationStore implements RegistrationStore {
  readonly #byId = new Map<string, Registration>();
  /** endpoint -> id */
  readonly #byEndpoint = new Map<string, string>();
  /**
   * Expiry times (lifetime from the last update, without grace) of the stored registrations.
   * An entry is current while its registration object is the one stored under its id: updates
   * store a new object, so the old entry goes stale and the sweep skips it.
   */
  readonly #expiry = new ExpiryQueue<Registration>(
    (entry: ExpiryEntry<Registration>) => this.#byId.get(entry.value.id) === entry.value,
  );

  async add(registration: Registration): Promise<{ previous?: Registration }> {
    const previousId = this.#byEndpoint.get(registration.endpoint);
    const previous = previousId !== undefined ? this.#byId.get(previousId) : undefined;
    if (previousId !== undefined) this.#byId.delete(previousId);
    // The same id re-added under another endpoint gives up its old endpoint.
    const sameId = this.#byId.get(registration.id);
    if (sameId && this.#byEndpoint.get(sameId.endpoint) === registration.id) this.#byEndpoint.delete(sameId.endpoint);
    this.#byId.set(registration.id, registration);
    this.#byEndpoint.set(registration.endpoint, registration.id);
    this.#expiry.push(registrationExpiresAt(registration), registration);
    this.#expiry.maybeCompact(this.#byId.size);
    return previous ? { previous } : {};
  }

  async update(id: string, update: RegistrationUpdate) {
    const previous = this.#byId.get(id);
    if (!previous) return undefined;
    const updated = applyRegistrationUpdate(previous, update);
    this.#byId.set(id, updated);
    this.#expiry.push(registrationExpiresAt(updated), updated);
    this.#expiry.maybeCompact(this.#byId.size);
    return { previous, updated };
  }

  async remove(id: string): Promise<Registration | undefined> {
    const registration = this.#byId.get(id);
    if (!registration) return undefined;
    this.#unlink(registration);
    this.#expiry.maybeCompact(this.#byId.size);
    return registration;
  }

  #unlink(registration: Registration): void {
    this.#byId.delete(registration.id);
    if (this.#byEndpoint.get(registration.endpoint) === registration.id) this.#byEndpoint.delete(registration.endpoint);
  }

  async getById(id: string) {
    return this.#byId.get(id);
  }

  async getByEndpoint(endpoint: string) {
    const id = this.#byEndpoint.get(endpoint);
    return id !== undefined ? this.#byId.get(id) : undefined;
  }

  async list() {
    return [...this.#byId.values()];
  }

  /** Earliest expiry first; the work is proportional to what expired (plus stale entries), not to the store size. */
  async removeExpired(now: number, graceMs: number) {
    const expired: Registration[] = [];
    this.#expiry.popDue(
      (at) => at + graceMs < now,
      (registration) => {
        this.#unlink(registration);
        expired.push(registration);
      },
    );
    return expired;
  }

  /** Expiry entries examined by sweeps and compactions so far (tests, metrics). */
  get expiryWork(): number {
    return this.#expiry.examined;
  }

  get size(): number {
    return this.#byId.size;
  }
}
