/**
 * Where registrations live. The in-memory default is below; `@lwm2m-ts/store-redis` implements
 * the same interface. Methods are async so remote stores fit; the in-memory one never waits.
 */
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

  async add(registration: Registration): Promise<{ previous?: Registration }> {
    const previousId = this.#byEndpoint.get(registration.endpoint);
    const previous = previousId !== undefined ? this.#byId.get(previousId) : undefined;
    if (previousId !== undefined) this.#byId.delete(previousId);
    // The same id re-added under another endpoint gives up its old endpoint.
    const sameId = this.#byId.get(registration.id);
    if (sameId && this.#byEndpoint.get(sameId.endpoint) === registration.id) this.#byEndpoint.delete(sameId.endpoint);
    this.#byId.set(registration.id, registration);
    this.#byEndpoint.set(registration.endpoint, registration.id);
    return previous ? { previous } : {};
  }

  async update(id: string, update: RegistrationUpdate) {
    const previous = this.#byId.get(id);
    if (!previous) return undefined;
    const updated = applyRegistrationUpdate(previous, update);
    this.#byId.set(id, updated);
    return { previous, updated };
  }

  async remove(id: string): Promise<Registration | undefined> {
    const registration = this.#byId.get(id);
    if (!registration) return undefined;
    this.#byId.delete(id);
    if (this.#byEndpoint.get(registration.endpoint) === id) this.#byEndpoint.delete(registration.endpoint);
    return registration;
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

  async removeExpired(now: number, graceMs: number) {
    const expired: Registration[] = [];
    for (const registration of this.#byId.values()) {
      if (registrationExpiresAt(registration) + graceMs < now) expired.push(registration);
    }
    for (const registration of expired) await this.remove(registration.id);
    return expired;
  }

  get size(): number {
    return this.#byId.size;
  }
}
