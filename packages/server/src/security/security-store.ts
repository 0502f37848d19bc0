import { bytesEqual } from '../core/peer';
import type { SecurityInfo } from './security-info';

/** Read side used by the server and by transports (DTLS PSK lookup, OSCORE context lookup). */
export interface SecurityStore {
  getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined>;
  getByPskIdentity(identity: string): Promise<SecurityInfo | undefined>;
  getByOscoreRecipientId(recipientId: Uint8Array): Promise<SecurityInfo | undefined>;
}

/** Write side for stores that can be edited (the web app's security page uses it). */
export interface EditableSecurityStore extends SecurityStore {
  /** Adds or replaces; rejects a PSK identity already used by another endpoint. */
  put(info: SecurityInfo): Promise<{ previous?: SecurityInfo }>;
  remove(endpoint: string): Promise<SecurityInfo | undefined>;
  list(): Promise<SecurityInfo[]>;
}

export class SecurityInfoConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityInfoConflictError';
  }
}

export class InMemorySecurityStore implements EditableSecurityStore {
  readonly #byEndpoint = new Map<string, SecurityInfo>();
  readonly #byPskIdentity = new Map<string, string>();

  constructor(initial: readonly SecurityInfo[] = []) {
    for (const info of initial) this.#put(info);
  }

  async getByEndpoint(endpoint: string) {
    return this.#byEndpoint.get(endpoint);
  }

  async getByPskIdentity(identity: string) {
    const endpoint = this.#byPskIdentity.get(identity);
    return endpoint !== undefined ? this.#byEndpoint.get(endpoint) : undefined;
  }

  async getByOscoreRecipientId(recipientId: Uint8Array) {
    for (const info of this.#byEndpoint.values()) {
      if (info.oscore && bytesEqual(info.oscore.recipientId, recipientId)) return info;
    }
    return undefined;
  }

  async put(info: SecurityInfo) {
    return this.#put(info);
  }

  #put(info: SecurityInfo): { previous?: SecurityInfo } {
    if (!info.endpoint) throw new SecurityInfoConflictError('security info needs an endpoint name');
    if (info.psk) {
      const owner = this.#byPskIdentity.get(info.psk.identity);
      if (owner !== undefined && owner !== info.endpoint) {
        throw new SecurityInfoConflictError(`PSK identity "${info.psk.identity}" is already used by "${owner}"`);
      }
    }
    const previous = this.#byEndpoint.get(info.endpoint);
    if (previous?.psk) this.#byPskIdentity.delete(previous.psk.identity);
    this.#byEndpoint.set(info.endpoint, info);
    if (info.psk) this.#byPskIdentity.set(info.psk.identity, info.endpoint);
    return previous ? { previous } : {};
  }

  async remove(endpoint: string) {
    const info = this.#byEndpoint.get(endpoint);
    if (!info) return undefined;
    this.#byEndpoint.delete(endpoint);
    if (info.psk) this.#byPskIdentity.delete(info.psk.identity);
    return info;
  }

  async list() {
    return [...this.#byEndpoint.values()];
  }
}
