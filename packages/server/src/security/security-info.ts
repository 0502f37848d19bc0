/**
 * Per-endpoint credentials the server expects. A transport (DTLS, OSCORE) looks keys up here;
 * the registration authorizer checks that the identity a client proved matches them.
 */
export interface OscoreSecurity {
  /** Our Recipient ID = the client's Sender ID: what an OSCORE identity carries. */
  readonly recipientId: Uint8Array;
  readonly senderId: Uint8Array;
  readonly masterSecret: Uint8Array;
  readonly masterSalt?: Uint8Array;
  readonly idContext?: Uint8Array;
  /** COSE algorithm ids (defaults: AES-CCM-16-64-128 = 10, HKDF SHA-256 = -10). */
  readonly aeadAlgorithm?: number;
  readonly hkdfAlgorithm?: number;
}

export interface SecurityInfo {
  readonly endpoint: string;
  readonly psk?: { readonly identity: string; readonly key: Uint8Array };
  readonly rpk?: { readonly publicKey: Uint8Array };
  /**
   * X.509: `true` means the certificate subject's CN must equal the endpoint name; a string means
   * the subject must equal it exactly.
   */
  readonly x509?: true | string;
  readonly oscore?: OscoreSecurity;
}

/** The CN of an RFC 4514-ish subject ("CN=dev1,O=Acme" or "/CN=dev1/O=Acme"). */
export function subjectCommonName(subject: string): string | undefined {
  for (const part of subject.split(/[,/\n]/)) {
    const [key, ...rest] = part.trim().split('=');
    if (key?.trim().toUpperCase() === 'CN' && rest.length > 0) return rest.join('=').trim();
  }
  return undefined;
}
