/**
 * Who may ask the client what, decided for every incoming request before any object is touched:
 *
 * - the bootstrap server (requests from its peer go to the bootstrap client; server-initiated
 *   bootstrap is allowed at any time);
 * - a management server only while its registration stands: the Register was answered 2.01
 *   and not since lost (a failed Update starts over with a Register; de-registered, disabled
 *   and never-registered accounts are refused). An account's peer is known from the moment the
 *   Register goes out, so the peer alone is not enough;
 * - a peer named by an explicit `directAccess` rule (address, port and transport identity),
 *   with the operations the rule allows or the rights of the server the rule names in the
 *   Access Control object;
 * - anyone else: 4.01 Unauthorized (as the ACL refusals of OMA LwM2M Core §7.3.3 are answered).
 */
import { CoapError, type CoapRequest, type CoapResponseInit, type Endpoint } from '@lwm2m-ts/coap';
import type { LwM2mPath } from '@lwm2m-ts/objects';
import type { AccessControl } from '../acl/access-control';
import type { BootstrapClient } from '../bootstrap/bootstrap-client';
import type { AccessOperation, DmHandler, ServerCaller } from '../coap/dm-handler';
import type { Registrations } from '../registration/registrations';
import type { AccountConnections, AccountOwner } from '../security/account-connections';
import { type DirectAccessRule, matchDirectAccess } from './direct-access';

export const serverKey = (ssid: number): string => `ssid:${ssid}`;
const PEER_PREFIX = 'peer:';

/** The Short Server ID behind a caller key ("ssid:3" -> 3), undefined for direct-access peers. */
export function shortServerIdOf(key: string): number | undefined {
  return key.startsWith('ssid:') ? Number(key.slice('ssid:'.length)) : undefined;
}

export interface RequestRouterDeps {
  readonly connections: AccountConnections;
  readonly registrations: Registrations;
  bootstrap(): BootstrapClient;
  readonly acl: AccessControl;
  readonly directAccess: readonly DirectAccessRule[];
  /** The endpoint requests without an owner came in on (the client's shared transport). */
  sharedEndpoint(): Endpoint | undefined;
  /** Activity (queue mode keeps the client awake). */
  touch(): void;
  /** Whether a caller key still has observations (its entry must outlive the request). */
  observing(key: string): boolean;
}

interface DirectCaller {
  rule: DirectAccessRule;
  owner: AccountOwner | undefined;
  /** Requests of this caller being handled now (they read the entry in `authorize`). */
  inFlight: number;
}

export class RequestRouter {
  private dm: DmHandler | undefined;
  /**
   * Direct-access caller key -> rule and the endpoint it talks to us on (for notifications).
   * A rule may match a whole address (any port), so one host could use endless keys: an entry
   * lives only while a request of its caller is being handled or the caller observes something,
   * which bounds the map by requests in flight plus observations (which the engine caps).
   */
  private readonly direct = new Map<string, DirectCaller>();

  constructor(private readonly d: RequestRouterDeps) {}

  /** The DM handler is built with `authorize` below, so it is attached after construction. */
  attach(dm: DmHandler): void {
    this.dm = dm;
  }

  /**
   * Serves one request that came in on the endpoint of `owner` (undefined: the shared endpoint);
   * `endpoint` is that endpoint, where observations the request starts are kept.
   */
  async serve(req: CoapRequest, owner: AccountOwner | undefined, endpoint?: Endpoint): Promise<CoapResponseInit> {
    this.d.touch();
    const own = owner === undefined ? undefined : this.d.connections.get(owner);
    // A dedicated endpoint talks to its account's server (which DTLS/OSCORE authenticated).
    const fromOwnServer = own !== undefined && own.peer.address === req.peer.address && own.peer.port === req.peer.port;
    const bs = this.d.connections.get('bootstrap');
    if (
      (owner === 'bootstrap' && fromOwnServer) ||
      (owner === undefined && bs && !bs.dedicated && req.peer.key === bs.peer.key)
    )
      return this.d.bootstrap().handle(req);
    if (this.d.bootstrap().inProgress) throw CoapError.serviceUnavailable('bootstrap in progress');
    const caller = this.callerOf(req, owner, fromOwnServer, endpoint);
    const dm = this.dm;
    if (!dm) {
      this.forgetDirect(caller.serverKey);
      throw CoapError.serviceUnavailable('not ready');
    }
    if (caller.requester.kind === 'server') return dm.handle(req, caller);
    const entry = this.direct.get(caller.serverKey)!;
    entry.inFlight++;
    try {
      return await dm.handle(req, caller);
    } finally {
      entry.inFlight--;
      this.forgetDirect(caller.serverKey);
    }
  }

  /** Drops a direct-access caller's entry unless a request of it is in flight or it observes something. */
  forgetDirect(key: string): void {
    const entry = this.direct.get(key);
    if (entry && entry.inFlight === 0 && !this.d.observing(key)) this.direct.delete(key);
  }

  /** Direct-access callers known now (requests in flight or observing). */
  get directCallers(): number {
    return this.direct.size;
  }

  /** Throws 4.01 unless `caller` may perform `operation` on `path`. */
  async authorize(caller: ServerCaller, operation: AccessOperation, path: LwM2mPath): Promise<void> {
    if (caller.requester.kind === 'server') return this.d.acl.check(caller.requester.shortServerId, operation, path);
    const rule = this.direct.get(caller.serverKey)?.rule;
    if (!rule) throw CoapError.unauthorized('no direct access rule for this peer');
    if (rule.aclServerId !== undefined) return this.d.acl.check(rule.aclServerId, operation, path);
    // Keys (Security, OSCORE) are for the bootstrap server only, whatever a rule says.
    if (path.objectId === 0 || path.objectId === 21)
      throw CoapError.unauthorized(`/${path.objectId} is not accessible to direct-access peers`);
    if (!rule.operations?.includes(operation))
      throw CoapError.unauthorized(`this peer may not ${operation} ${path.toString()}`);
  }

  /** A caller created an instance: its server becomes the owner (ACL); direct peers own nothing. */
  ownerOf(caller: ServerCaller): number | undefined {
    if (caller.requester.kind === 'server') return caller.requester.shortServerId;
    return this.direct.get(caller.serverKey)?.rule.aclServerId;
  }

  /** The endpoint notifications to a caller go out on. */
  endpointFor(key: string): Endpoint | undefined {
    const ssid = shortServerIdOf(key);
    if (ssid !== undefined) return this.d.registrations.get(ssid)?.connection?.endpoint;
    const direct = this.direct.get(key);
    if (!direct) return undefined;
    return direct.owner === undefined ? this.d.sharedEndpoint() : this.d.connections.get(direct.owner)?.endpoint;
  }

  private callerOf(
    req: CoapRequest,
    owner: AccountOwner | undefined,
    fromOwnServer: boolean,
    endpoint: Endpoint | undefined,
  ): ServerCaller {
    const session =
      owner === undefined
        ? this.d.registrations.byPeer(req.peer.key)
        : typeof owner === 'number' && fromOwnServer
          ? this.d.registrations.get(owner)
          : undefined;
    if (session?.registered)
      return {
        requester: { kind: 'server', shortServerId: session.shortServerId },
        serverKey: serverKey(session.shortServerId),
        endpoint,
      };
    const rule = matchDirectAccess(this.d.directAccess, req.peer);
    if (rule) {
      const key = `${PEER_PREFIX}${req.peer.key}`;
      const entry = this.direct.get(key);
      if (entry) {
        entry.rule = rule;
        entry.owner = owner;
      } else this.direct.set(key, { rule, owner, inFlight: 0 });
      return { requester: { kind: 'peer', peer: req.peer }, serverKey: key, endpoint };
    }
    if (session) throw CoapError.unauthorized(`server ${session.shortServerId} is not registered`);
    if (owner !== undefined) throw CoapError.unauthorized("not this account's server");
    throw CoapError.unauthorized('not a server this client is registered with');
  }
}
