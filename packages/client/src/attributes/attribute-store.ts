/**
 * Attributes written by each server, per path. Effective attributes of a path follow the
 * precedence resource instance > resource > object instance > object, then the server's
 * default pmin/pmax (object 1 resources 2 and 3).
 *
 * Registered servers ("ssid:N") are bounded by the Server object instances. Direct-access peers
 * ("peer:<key>") are not: a rule may match an address with any port, so one host could write
 * attributes from endless source ports. Their entries are therefore capped, least recently
 * written first out, and a caller that observes something is never evicted (its attributes
 * apply to live observations). We do not drop a peer's attributes when it goes idle: its
 * Write-Attributes is answered before its Observe arrives, so "idle" is exactly the moment
 * between setting attributes and observing with them. Direct entries are so bounded by
 * `maxDirectCallers`, or by the callers observing now (which the engine's observer cap bounds)
 * plus the one writing, whichever is larger.
 */
import { LwM2mPath } from '@lwm2m-ts/objects';
import { type AttributeChange, applyChange, type NotificationAttributes } from './notification-attributes';

export interface AttributeStoreOptions {
  /** Whether a caller key is a direct-access peer, whose entries are capped. Default: none is. */
  isDirect?(server: string): boolean;
  /** Whether a caller observes something now (its attributes are in use and never evicted). */
  observing?(server: string): boolean;
  /** Direct-access callers kept while not observing, least recently written evicted first. */
  maxDirectCallers?: number;
}

export const DEFAULT_MAX_DIRECT_CALLERS = 64;

export class AttributeStore {
  /** serverKey -> path -> attributes set at exactly that level. Only non-empty maps are kept. */
  private readonly byServer = new Map<string, Map<string, NotificationAttributes>>();
  /** Direct-access callers with attributes, least recently written first. */
  private readonly directOrder = new Set<string>();
  private readonly maxDirect: number;

  constructor(private readonly options: AttributeStoreOptions = {}) {
    this.maxDirect = options.maxDirectCallers ?? DEFAULT_MAX_DIRECT_CALLERS;
    if (!Number.isInteger(this.maxDirect) || this.maxDirect < 1)
      throw new RangeError(`maxDirectCallers must be a positive integer, got ${options.maxDirectCallers}`);
  }

  /** Attributes set at exactly `path` by `server`. */
  at(server: string, path: LwM2mPath): NotificationAttributes {
    return this.byServer.get(server)?.get(path.toString()) ?? {};
  }

  /** What the attributes at `path` would be after `change` (nothing stored). */
  preview(server: string, path: LwM2mPath, change: AttributeChange): NotificationAttributes {
    return applyChange(this.at(server, path), change);
  }

  set(server: string, path: LwM2mPath, attrs: NotificationAttributes): void {
    let map = this.byServer.get(server);
    if (Object.keys(attrs).length === 0) {
      map?.delete(path.toString());
      if (map?.size === 0) this.removeServer(server);
      return;
    }
    if (!map) {
      map = new Map();
      this.byServer.set(server, map);
    }
    map.set(path.toString(), attrs);
    if (this.options.isDirect?.(server)) {
      this.directOrder.delete(server);
      this.directOrder.add(server);
      this.trim(server);
    }
  }

  /** Merged attributes for `path`, most specific level winning, over `defaults`. */
  effective(server: string, path: LwM2mPath, defaults: NotificationAttributes = {}): NotificationAttributes {
    let result: NotificationAttributes = { ...defaults };
    const map = this.byServer.get(server);
    if (!map) return result;
    for (let n = 1; n <= path.ids.length; n++) {
      const level = map.get(LwM2mPath.of(...path.ids.slice(0, n)).toString());
      if (level) result = { ...result, ...level };
    }
    return result;
  }

  /** Forgets attributes at and below `path` (instance deleted) for every server. */
  removeBelow(path: LwM2mPath): void {
    for (const [server, map] of [...this.byServer]) {
      for (const key of [...map.keys()]) if (path.contains(LwM2mPath.parse(key))) map.delete(key);
      if (map.size === 0) this.removeServer(server);
    }
  }

  /**
   * Forgets everything a server set. For a registered server ("ssid:N") the client calls this
   * when its account is removed (`AccountWatch`: Server or Security instance deleted or replaced,
   * Short Server ID changed), so a new account reusing the Short Server ID starts without them.
   *
   * De-registration (and Disable, a failed registration, a re-bootstrap that keeps the account)
   * does not call it: the attributes stay with the account and apply again once the same server
   * registers and observes again. OMA LwM2M TS Core 1.1/1.2 ties Notification-class attributes
   * to the LwM2M Server that wrote them (§5.1.2 Attributes) but says nothing of their life across
   * De-register / Register (Client Registration Interface); we keep them while the account
   * exists. Observations do not survive a new registration (see `Registrations`), and they are
   * in RAM only, like these attributes: a client restart loses both.
   */
  removeServer(server: string): void {
    this.byServer.delete(server);
    this.directOrder.delete(server);
  }

  /**
   * Evicts the least recently written direct-access callers that observe nothing until at most
   * `maxDirectCallers` are left (observing callers, and `keep` - the caller that just wrote - may
   * keep the count above it). Called on every direct write and when a caller's last observation
   * ends.
   */
  trim(keep?: string): void {
    if (this.directOrder.size <= this.maxDirect) return;
    for (const server of [...this.directOrder]) {
      if (this.directOrder.size <= this.maxDirect) return;
      if (server !== keep && !this.options.observing?.(server)) this.removeServer(server);
    }
  }

  /** Callers with attributes stored now (registered servers and direct-access peers). */
  get callers(): number {
    return this.byServer.size;
  }

  clear(): void {
    this.byServer.clear();
    this.directOrder.clear();
  }
}
