/**
 * Direct access: peers that are not LwM2M servers of this client (another device on the same
 * network, a test tool) but may still send it requests, because the application said so
 * explicitly. A rule names the peer by what the transport established: its address (and port)
 * and its security identity (PSK identity, RPK key, X.509 subject, OSCORE recipient id). An
 * address alone never stands for an identity: a rule without `identity` matches only peers the
 * transport did not authenticate (plain CoAP), so a DTLS peer that merely shares the address is
 * refused.
 */
import type { Peer, PeerIdentity } from '@lwm2m-ts/coap';
import type { AccessOperation } from '../coap/dm-handler';

/** The security identity a rule requires; compared field by field with the Peer's. */
export type DirectAccessIdentity =
  | { readonly kind: 'psk'; readonly identity: string }
  | { readonly kind: 'rpk'; readonly publicKey: Uint8Array }
  | { readonly kind: 'x509'; readonly subject: string }
  | { readonly kind: 'oscore'; readonly recipientId: Uint8Array; readonly idContext?: Uint8Array };

export interface DirectAccessRule {
  /** Source address (IP literal, or node name on MemoryNetwork); omitted: any address. */
  readonly address?: string;
  /** Source port; omitted: any port. */
  readonly port?: number;
  /** Identity the transport (DTLS, TLS, OSCORE) must have authenticated; omitted: none (plain CoAP). */
  readonly identity?: DirectAccessIdentity;
  /**
   * Operations the peer may perform ('read' covers Read, Discover, Observe, Read- and
   * Observe-Composite and Write-Attributes). Exactly one of `operations` and `aclServerId`.
   */
  readonly operations?: readonly AccessOperation[];
  /**
   * Decide as for the server with this Short Server ID: the Access Control object's rights for
   * that server apply (and, with no ACL in force, that server's full rights).
   */
  readonly aclServerId?: number;
}

const OPERATIONS: ReadonlySet<string> = new Set<AccessOperation>(['read', 'write', 'execute', 'delete', 'create']);

/** Checks rules given by the application; throws RangeError naming the bad rule. */
export function checkDirectAccessRules(rules: readonly DirectAccessRule[]): void {
  rules.forEach((r, i) => {
    const where = `directAccess[${i}]`;
    if ((r.operations === undefined) === (r.aclServerId === undefined))
      throw new RangeError(`${where}: give exactly one of operations and aclServerId`);
    if (r.operations?.some((op) => !OPERATIONS.has(op)))
      throw new RangeError(`${where}: unknown operation in ${JSON.stringify(r.operations)}`);
    if (
      r.aclServerId !== undefined &&
      !(Number.isInteger(r.aclServerId) && r.aclServerId >= 1 && r.aclServerId <= 65534)
    )
      throw new RangeError(`${where}: aclServerId must be a Short Server ID (1..65534)`);
    if (r.address === undefined && r.port === undefined && r.identity === undefined)
      throw new RangeError(`${where}: a rule must name an address, a port or an identity (it would match every peer)`);
    if (r.port !== undefined && !(Number.isInteger(r.port) && r.port >= 0 && r.port <= 65535))
      throw new RangeError(`${where}: port must be 0..65535`);
  });
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.length === b.length && a.every((x, i) => x === b[i]);

function sameIdentity(want: DirectAccessIdentity | undefined, got: PeerIdentity | undefined): boolean {
  if (want === undefined) return got === undefined;
  if (got === undefined || got.kind !== want.kind) return false;
  switch (want.kind) {
    case 'psk':
      return got.kind === 'psk' && got.identity === want.identity;
    case 'rpk':
      return got.kind === 'rpk' && sameBytes(got.publicKey, want.publicKey);
    case 'x509':
      return got.kind === 'x509' && got.subject === want.subject;
    case 'oscore':
      return (
        got.kind === 'oscore' &&
        sameBytes(got.recipientId, want.recipientId) &&
        sameBytes(got.idContext, want.idContext)
      );
  }
}

/** The first rule that matches `peer` (address, port and identity), if any. */
export function matchDirectAccess(rules: readonly DirectAccessRule[], peer: Peer): DirectAccessRule | undefined {
  return rules.find(
    (r) =>
      (r.address === undefined || r.address === peer.address) &&
      (r.port === undefined || r.port === peer.port) &&
      sameIdentity(r.identity, peer.identity),
  );
}
