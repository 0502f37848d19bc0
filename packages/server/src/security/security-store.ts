import type { SecurityInfo } from './security-info';

/** Read side used by the server and by transports (DTLS PSK lookup, OSCORE context lookup). */
export interface SecurityStore {
  getByEndpoint(endpoint: string): Promise<SecurityInfo | undefined>;
  getByPskIdentity(identity: string): Promise<SecurityInfo | undefined>;
  /** Several endpoints with one recipient id (different ID contexts): the in-memory store answers the earliest put. */
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

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export class InMemorySecurityStore implements EditableSecurityStore {
  readonly #byEndpoint = new Map<string, SecurityInfo>();
  readonly #byPskIdentity = new Map<string, string>();
  /** OSCORE recipient id (hex) -> endpoints using it, earliest first (the first one answers). */
  readonly #byOscoreRecipientId = new Map<string, Set<string>>();

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
    const endpoints = this.#byOscoreRecipientId.get(hex(recipientId));
    if (!endpoints) return undefined;
    for (const endpoint of endpoints) return this.#byEndpoint.get(endpoint);
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
    if (previous) this.#unindex(previous, info);
    this.#byEndpoint.set(info.endpoint, info);
    if (info.psk) this.#byPskIdentity.set(info.psk.identity, info.endpoint);
    if (info.oscore) {
      const key = hex(info.oscore.recipientId);
      const endpoints = this.#byOscoreRecipientId.get(key);
      if (endpoints) endpoints.add(info.endpoint);
      else this.#byOscoreRecipientId.set(key, new Set([info.endpoint]));
    }
    return previous ? { previous } : {};
  }

  async remove(endpoint: string) {
    const info = this.#byEndpoint.get(endpoint);
    if (!info) return undefined;
    this.#byEndpoint.delete(endpoint);
    this.#unindex(info);
    return info;
  }

  /** Drops `info`'s index entries; a recipient id `next` keeps stays put (and keeps its rank). */
  #unindex(info: SecurityInfo, next?: SecurityInfo): void {
    if (info.psk && this.#byPskIdentity.get(info.psk.identity) === info.endpoint)
      this.#byPskIdentity.delete(info.psk.identity);
    if (info.oscore) {
      const key = hex(info.oscore.recipientId);
      if (next?.oscore && hex(next.oscore.recipientId) === key) return;
      const endpoints = this.#byOscoreRecipientId.get(key);
      endpoints?.delete(info.endpoint);
      if (endpoints?.size === 0) this.#byOscoreRecipientId.delete(key);
    }
  }

  async list() {
    return [...this.#byEndpoint.values()];
  }
}
