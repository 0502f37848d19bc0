/**
 * The transport-level facts the LwM2M core needs about a client: where it is and who it proved
 * to be. These are the `Peer`/`PeerIdentity` types of the transport seam (type-only import):
 * the core never talks CoAP, it only reads the address for bookkeeping and the identity for
 * authorization.
 */
import type { Peer, PeerIdentity } from '@lwm2m-ts/coap';

export type ClientPeer = Peer;
export type ClientIdentity = PeerIdentity;

/** Two identities are the same principal (same kind, same identity bytes/strings). */
export function sameIdentity(a: ClientIdentity | undefined, b: ClientIdentity | undefined): boolean {
  if (!a || !b) return a === b;
  switch (a.kind) {
    case 'psk':
      return b.kind === 'psk' && a.identity === b.identity;
    case 'rpk':
      return b.kind === 'rpk' && bytesEqual(a.publicKey, b.publicKey);
    case 'x509':
      return b.kind === 'x509' && a.subject === b.subject;
    case 'oscore':
      return (
        b.kind === 'oscore' &&
        bytesEqual(a.recipientId, b.recipientId) &&
        bytesEqual(a.idContext ?? new Uint8Array(0), b.idContext ?? new Uint8Array(0))
      );
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
