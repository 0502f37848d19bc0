import type { SessionParameters } from '../handshake/handshake-config';

/**
 * Bounded LRU of resumable sessions (RFC 5246 7.3 abbreviated handshake), keyed by an arbitrary string: the
 * session id (server) or the server's address (client). Entries expire after `lifetimeMs`.
 */
export class SessionCache {
  private readonly entries = new Map<string, { params: SessionParameters; storedAt: number }>();

  constructor(
    private readonly max: number,
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  set(key: string, params: SessionParameters): void {
    if (this.max <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { params, storedAt: this.now() });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get(key: string): SessionParameters | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.storedAt > this.lifetimeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.params;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
