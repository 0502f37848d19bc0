/** LwM2M Security object (0): one instance per server account, including the bootstrap server. */
import { SimpleInstance } from '../enabler/simple-instance';

/** Security Mode (/0/x/2). */
export const SecurityMode = { PSK: 0, RPK: 1, CERTIFICATE: 2, NO_SEC: 3, EST: 4 } as const;

export interface SecurityInstanceOptions {
  /** LwM2M Server URI, e.g. "coap://127.0.0.1:5683". */
  readonly uri: string;
  /** True for the bootstrap server's account. */
  readonly bootstrap?: boolean;
  /** Short Server ID (not used for the bootstrap server). */
  readonly shortServerId?: number;
  readonly mode?: number;
  /** PSK identity or public key / certificate (bytes or UTF-8 text). */
  readonly identity?: Uint8Array | string;
  readonly serverPublicKey?: Uint8Array;
  readonly secretKey?: Uint8Array | string;
  /** Client Hold Off Time (s). */
  readonly holdOff?: number;
  /** Bootstrap-Server Account Timeout (s). */
  readonly bootstrapAccountTimeout?: number;
  /** OSCORE Security Mode (/0/x/17, 1.1+): the OSCORE (21) instance this account uses. */
  readonly oscoreInstanceId?: number;
}

const bytes = (v: Uint8Array | string | undefined) =>
  v === undefined ? new Uint8Array(0) : typeof v === 'string' ? new TextEncoder().encode(v) : v;

/** A Security instance (plain values, writable only by the bootstrap server). */
export function securityInstance(o: SecurityInstanceOptions): SimpleInstance {
  return new SimpleInstance({
    values: {
      0: o.uri,
      1: o.bootstrap ?? false,
      2: o.mode ?? SecurityMode.NO_SEC,
      3: bytes(o.identity),
      4: o.serverPublicKey ?? new Uint8Array(0),
      5: bytes(o.secretKey),
      ...(o.bootstrap ? {} : { 10: o.shortServerId ?? 1 }),
      11: o.holdOff,
      12: o.bootstrapAccountTimeout,
      ...(o.oscoreInstanceId !== undefined ? { 17: { objectId: 21, instanceId: o.oscoreInstanceId } } : {}),
    },
  });
}
