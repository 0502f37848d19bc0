/**
 * Decides whether a client may register (or update / de-register) as an endpoint: the identity
 * the transport established must match the endpoint's security info. The address never counts.
 */
import { bytesEqual, type ClientIdentity } from '../core/peer';
import { type SecurityInfo, subjectCommonName } from './security-info';
import type { SecurityStore } from './security-store';

const NO_ID_CONTEXT = new Uint8Array(0);

export type AuthorizationResult = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface RegistrationAuthorizer {
  authorizeRegistration(identity: ClientIdentity | undefined, endpoint: string): Promise<AuthorizationResult>;
}

export interface SecurityStoreAuthorizerOptions {
  /**
   * Accept clients without any security info over an unsecured transport (plain `coap://`).
   * Default true (like Leshan); set false for a server that only admits provisioned devices.
   */
  readonly allowUnsecured?: boolean;
}

/** True when `identity` is one the security info admits. */
export function identityMatches(info: SecurityInfo, identity: ClientIdentity): boolean {
  switch (identity.kind) {
    case 'psk':
      return info.psk !== undefined && info.psk.identity === identity.identity;
    case 'rpk':
      return info.rpk !== undefined && bytesEqual(info.rpk.publicKey, identity.publicKey);
    case 'x509':
      if (info.x509 === undefined) return false;
      return info.x509 === true
        ? subjectCommonName(identity.subject) === info.endpoint
        : info.x509 === identity.subject;
    case 'oscore':
      // The ID Context counts too: endpoints may share a recipient id under different ID contexts.
      return (
        info.oscore !== undefined &&
        bytesEqual(info.oscore.recipientId, identity.recipientId) &&
        bytesEqual(info.oscore.idContext ?? NO_ID_CONTEXT, identity.idContext ?? NO_ID_CONTEXT)
      );
  }
}

export class SecurityStoreAuthorizer implements RegistrationAuthorizer {
  readonly #allowUnsecured: boolean;

  constructor(
    private readonly store: SecurityStore,
    options: SecurityStoreAuthorizerOptions = {},
  ) {
    this.#allowUnsecured = options.allowUnsecured ?? true;
  }

  async authorizeRegistration(identity: ClientIdentity | undefined, endpoint: string): Promise<AuthorizationResult> {
    const info = await this.store.getByEndpoint(endpoint);
    if (!identity) {
      if (info) return { allowed: false, reason: `"${endpoint}" must connect securely` };
      return this.#allowUnsecured
        ? { allowed: true }
        : { allowed: false, reason: `no security info for "${endpoint}" and unsecured clients are not allowed` };
    }
    if (!info) return { allowed: false, reason: `no security info for "${endpoint}"` };
    return identityMatches(info, identity)
      ? { allowed: true }
      : { allowed: false, reason: `${identity.kind} identity does not match the security info of "${endpoint}"` };
  }
}
