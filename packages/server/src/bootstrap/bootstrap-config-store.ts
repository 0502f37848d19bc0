import { type BootstrapConfig, validateBootstrapConfig } from './bootstrap-config';

/** Bootstrap configurations per endpoint name (in-memory default below). */
export interface BootstrapConfigStore {
  get(endpoint: string): Promise<BootstrapConfig | undefined>;
  /** Validates, then adds or replaces; throws `InvalidBootstrapConfigError`. */
  put(endpoint: string, config: BootstrapConfig): Promise<void>;
  remove(endpoint: string): Promise<BootstrapConfig | undefined>;
  list(): Promise<[string, BootstrapConfig][]>;
}

export class InMemoryBootstrapConfigStore implements BootstrapConfigStore {
  readonly #configs = new Map<string, BootstrapConfig>();

  async get(endpoint: string) {
    return this.#configs.get(endpoint);
  }

  async put(endpoint: string, config: BootstrapConfig) {
    validateBootstrapConfig(config);
    this.#configs.set(endpoint, config);
  }

  async remove(endpoint: string) {
    const config = this.#configs.get(endpoint);
    this.#configs.delete(endpoint);
    return config;
  }

  async list() {
    return [...this.#configs];
  }
}
