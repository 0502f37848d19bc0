import type { ObservationInfo } from './observation';

/** Where observations live (in-memory default below; store-redis implements the same). */
export interface ObservationStore {
  add(observation: ObservationInfo): Promise<void>;
  get(id: string): Promise<ObservationInfo | undefined>;
  remove(id: string): Promise<ObservationInfo | undefined>;
  listByRegistration(registrationId: string): Promise<ObservationInfo[]>;
  /** Removes every observation of a registration (de-register, expiry, re-register). */
  removeByRegistration(registrationId: string): Promise<ObservationInfo[]>;
  list(): Promise<ObservationInfo[]>;
}

export class InMemoryObservationStore implements ObservationStore {
  readonly #byId = new Map<string, ObservationInfo>();
  readonly #byRegistration = new Map<string, Set<string>>();

  async add(observation: ObservationInfo) {
    await this.remove(observation.id);
    this.#byId.set(observation.id, observation);
    let ids = this.#byRegistration.get(observation.registrationId);
    if (!ids) {
      ids = new Set();
      this.#byRegistration.set(observation.registrationId, ids);
    }
    ids.add(observation.id);
  }

  async get(id: string) {
    return this.#byId.get(id);
  }

  async remove(id: string) {
    const observation = this.#byId.get(id);
    if (!observation) return undefined;
    this.#byId.delete(id);
    const ids = this.#byRegistration.get(observation.registrationId);
    ids?.delete(id);
    if (ids?.size === 0) this.#byRegistration.delete(observation.registrationId);
    return observation;
  }

  async listByRegistration(registrationId: string) {
    return [...(this.#byRegistration.get(registrationId) ?? [])].flatMap((id) => {
      const o = this.#byId.get(id);
      return o ? [o] : [];
    });
  }

  async removeByRegistration(registrationId: string) {
    const removed = await this.listByRegistration(registrationId);
    for (const o of removed) this.#byId.delete(o.id);
    this.#byRegistration.delete(registrationId);
    return removed;
  }

  async list() {
    return [...this.#byId.values()];
  }
}
