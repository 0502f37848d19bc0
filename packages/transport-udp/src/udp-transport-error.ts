const marker = Symbol.for('lwm2m-ts.udp-transport-error');

/**
 * Every failure the UDP transport reports: bind failures (EADDRINUSE, EADDRNOTAVAIL, EACCES),
 * unresolvable hosts, oversized frames and sends on a closed transport. `code` is the system
 * error code when there is one, so callers can branch on it.
 */
export class UdpTransportError extends Error {
  readonly [marker] = true;
  readonly code: string | undefined;

  constructor(message: string, details: { code?: string; cause?: unknown } = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'UdpTransportError';
    this.code = details.code;
  }

  static isInstance(value: unknown): value is UdpTransportError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** The system error code (`EADDRINUSE`, ...) of a node error, if any. */
export function systemErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A sentence for a bind failure that says what to do about it. */
export function describeBindError(err: unknown, address: string, port: number): string {
  const code = systemErrorCode(err);
  const where = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot bind UDP ${where}: address already in use (another process listens on this port; pick another --port or stop it)`;
    case 'EADDRNOTAVAIL':
      return `cannot bind UDP ${where}: address not available on this machine (use an address of a local interface, 0.0.0.0 or ::)`;
    case 'EACCES':
      return `cannot bind UDP ${where}: permission denied (ports below 1024 need privileges)`;
    case 'EAFNOSUPPORT':
      return `cannot bind UDP ${where}: address family not supported (is IPv6 disabled?)`;
    default:
      return `cannot bind UDP ${where}: ${(err as Error)?.message ?? String(err)}`;
  }
}
