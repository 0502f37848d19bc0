/**
 * One connection per server account: an Endpoint over the transport the application's
 * `TransportFactory` built from the account's Security (and OSCORE) instance, or the client's
 * shared endpoint when there is no factory (or it returns undefined). Connections are kept
 * while the credentials stay the same and replaced when a bootstrap writes new ones.
 */
import type { Endpoint, Peer } from '@lwm2m-ts/coap';
import { parseCoapUri } from '@lwm2m-ts/codec';
import type { SleepGate } from '../queue/sleep-gate';
import type { ObjectTree } from '../tree/object-tree';
import {
  type AccountTransport,
  readAccountSecurity,
  securityFingerprint,
  type TransportFactory,
} from './account-security';

/** Who a connection serves: the bootstrap server or the server with this Short Server ID. */
export type AccountOwner = 'bootstrap' | number;

export interface Connection {
  readonly owner: AccountOwner;
  readonly endpoint: Endpoint;
  readonly gate: SleepGate;
  readonly peer: Peer;
  /** False for the client's shared endpoint (not closed with the account). */
  readonly dedicated: boolean;
  readonly fingerprint: string;
}

export interface ConnectionsDeps {
  readonly tree: ObjectTree;
  readonly factory: TransportFactory | undefined;
  /** The client's endpoint over its `transport` option, if it has one. */
  readonly shared: { endpoint: Endpoint; gate: SleepGate } | undefined;
  /** A new Endpoint over an account's transport, serving requests as `owner`. */
  open(owner: AccountOwner, t: AccountTransport): { endpoint: Endpoint; gate: SleepGate };
}

export class AccountConnections {
  private readonly byOwner = new Map<AccountOwner, Connection>();
  private readonly opening = new Map<AccountOwner, Promise<Connection>>();

  constructor(private readonly d: ConnectionsDeps) {}

  get(owner: AccountOwner): Connection | undefined {
    return this.byOwner.get(owner);
  }

  all(): Connection[] {
    return [...this.byOwner.values()];
  }

  /**
   * The connection of `owner` for Security instance `securityInstanceId`, built (or rebuilt,
   * when the credentials changed) through the factory.
   */
  connect(owner: AccountOwner, securityInstanceId: number): Promise<Connection> {
    const pending = this.opening.get(owner);
    if (pending) return pending.then(() => this.connect(owner, securityInstanceId));
    const p = this.doConnect(owner, securityInstanceId).finally(() => this.opening.delete(owner));
    this.opening.set(owner, p);
    return p;
  }

  /** Closes the connections of owners not in `keep` (accounts a bootstrap removed). */
  async prune(keep: ReadonlySet<AccountOwner>): Promise<void> {
    for (const [owner, c] of [...this.byOwner]) {
      if (keep.has(owner)) continue;
      this.byOwner.delete(owner);
      if (c.dedicated) await c.endpoint.close().catch(() => {});
    }
  }

  /**
   * Closes the connection of `owner` (its account was removed). One still being opened is left
   * alone: a new account of the same owner is connecting.
   */
  async release(owner: AccountOwner): Promise<void> {
    if (this.opening.has(owner)) return;
    const c = this.byOwner.get(owner);
    if (!c) return;
    this.byOwner.delete(owner);
    if (c.dedicated) await c.endpoint.close().catch(() => {});
  }

  /** Parks every session (DTLS disconnect) before the client sleeps. */
  async park(): Promise<void> {
    await Promise.all(this.all().map((c) => c.gate.disconnect(c.peer).catch(() => {})));
  }

  async closeAll(): Promise<void> {
    const all = this.all();
    this.byOwner.clear();
    await Promise.all(all.filter((c) => c.dedicated).map((c) => c.endpoint.close().catch(() => {})));
  }

  private async doConnect(owner: AccountOwner, securityInstanceId: number): Promise<Connection> {
    const security = await readAccountSecurity(this.d.tree, securityInstanceId);
    const fingerprint = securityFingerprint(security);
    const existing = this.byOwner.get(owner);
    if (existing && existing.fingerprint === fingerprint) return existing;
    if (existing) {
      this.byOwner.delete(owner);
      if (existing.dedicated) await existing.endpoint.close().catch(() => {});
    }
    const built = this.d.factory ? await this.d.factory(security) : undefined;
    let opened: { endpoint: Endpoint; gate: SleepGate };
    let dedicated = true;
    if (built) opened = this.d.open(owner, built);
    else if (this.d.shared) {
      opened = this.d.shared;
      dedicated = false;
    } else throw new Error(`no transport for ${security.serverUri}: the transport factory returned none`);
    const u = parseCoapUri(security.serverUri);
    const peer = await opened.gate.resolvePeer(u.host, u.port);
    const c: Connection = { owner, endpoint: opened.endpoint, gate: opened.gate, peer, dedicated, fingerprint };
    this.byOwner.set(owner, c);
    return c;
  }
}
