/** A stable string for a transport/OSCORE security identity: what a registration's owner is recorded as. */
import type { PeerIdentity } from '@lwm2m-ts/coap';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function identityKey(identity: PeerIdentity | undefined): string | undefined {
  if (!identity) return undefined;
  switch (identity.kind) {
    case 'psk':
      return `psk:${identity.identity}`;
    case 'rpk':
      return `rpk:${hex(identity.publicKey)}`;
    case 'x509':
      return `x509:${identity.subject}`;
    case 'oscore':
      return `oscore:${hex(identity.recipientId)}${identity.idContext ? `/${hex(identity.idContext)}` : ''}`;
  }
}
