/**
 * The credentials of one server account, read from its Security (0) instance and, when
 * /0/x/17 (OSCORE Security Mode) links one, its OSCORE (21) instance (OMA LwM2M TS Core 1.1
 * §E.1 and §E.21). The client hands them to the application's `TransportFactory`, which builds
 * the secured transport (DTLS, TLS) and layers (OSCORE): the client itself imports no transport.
 */
import type { MessageLayer, Transport } from '@lwm2m-ts/coap';
import type { LwM2mValue } from '@lwm2m-ts/objects';
import { isMultipleContent, LOCAL } from '../enabler/instance-enabler';
import type { ObjectTree } from '../tree/object-tree';

/** OSCORE (21) resources. */
export const OSC = {
  MASTER_SECRET: 0,
  SENDER_ID: 1,
  RECIPIENT_ID: 2,
  AEAD: 3,
  HMAC: 4,
  MASTER_SALT: 5,
  ID_CONTEXT: 6,
} as const;

/** An OSCORE (21) instance: the input of an OSCORE security context (RFC 8613 §3.2). */
export interface OscoreCredentials {
  readonly instanceId: number;
  readonly masterSecret: Uint8Array;
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  /** COSE AEAD algorithm (resource 3); undefined = default (10, AES-CCM-16-64-128). */
  readonly aeadAlgorithm: number | undefined;
  /** HMAC algorithm (resource 4); undefined = default (HKDF SHA-256). */
  readonly hmacAlgorithm: number | undefined;
  readonly masterSalt: Uint8Array | undefined;
  readonly idContext: Uint8Array | undefined;
}

/** What a transport factory gets: one server account's Security instance, decoded. */
export interface AccountSecurity {
  /** /0/x/0, e.g. "coaps://127.0.0.1:5684". */
  readonly serverUri: string;
  /** True for the Bootstrap-Server account (/0/x/1). */
  readonly bootstrap: boolean;
  /** /0/x/10; undefined for the bootstrap account. */
  readonly shortServerId: number | undefined;
  readonly securityInstanceId: number;
  /** /0/x/2: 0 PSK, 1 RPK, 2 X.509, 3 NoSec, 4 EST (see `SecurityMode`). */
  readonly securityMode: number;
  /** PSK mode: /0/x/3 as UTF-8 text (the PSK identity) and /0/x/5 (the key). */
  readonly pskIdentity: string | undefined;
  readonly pskKey: Uint8Array | undefined;
  /** /0/x/3 "Public Key or Identity": RPK SubjectPublicKeyInfo (DER), X.509 certificate, PSK identity bytes. */
  readonly publicKey: Uint8Array;
  /** /0/x/4: the server's public key or certificate. */
  readonly serverPublicKey: Uint8Array;
  /** /0/x/5: the client's private key (RPK: PKCS#8 DER) or PSK key. */
  readonly secretKey: Uint8Array;
  /** /0/x/17 -> /21/y: set when the account uses OSCORE. */
  readonly oscore?: OscoreCredentials;
}

/** A transport (and optional layers, e.g. OSCORE) for one account. */
export interface AccountTransport {
  readonly transport: Transport;
  readonly layers?: readonly MessageLayer[];
}

/**
 * Builds the transport of one account from its credentials. Return `undefined` to use the
 * client's shared `transport` (e.g. NoSec accounts over the one UDP socket).
 */
export type TransportFactory = (account: AccountSecurity) => Promise<AccountTransport | undefined>;

type Values = ReadonlyMap<number, LwM2mValue>;

async function values(tree: ObjectTree, objectId: number, instanceId: number): Promise<Values | undefined> {
  const instance = tree.get(objectId)?.instance(instanceId);
  if (!instance) return undefined;
  const out = new Map<number, LwM2mValue>();
  for (const rid of instance.resourceIds()) {
    const c = await instance.read(rid, LOCAL);
    if (c !== undefined && !isMultipleContent(c)) out.set(rid, c);
  }
  return out;
}

const utf8 = new TextEncoder();

/** Opaque as is; String (OSCORE object 1.0/1.1 types these as String) as its UTF-8 bytes. */
function bytesOf(v: Values, id: number): Uint8Array | undefined {
  const x = v.get(id)?.value;
  if (x instanceof Uint8Array) return x;
  if (typeof x === 'string') return utf8.encode(x);
  return undefined;
}

function numOf(v: Values, id: number): number | undefined {
  const x = v.get(id)?.value;
  return typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : undefined;
}

async function readOscore(tree: ObjectTree, instanceId: number): Promise<OscoreCredentials | undefined> {
  const v = await values(tree, 21, instanceId);
  if (!v) return undefined;
  const masterSecret = bytesOf(v, OSC.MASTER_SECRET);
  const senderId = bytesOf(v, OSC.SENDER_ID);
  const recipientId = bytesOf(v, OSC.RECIPIENT_ID);
  if (!masterSecret || !senderId || !recipientId) return undefined;
  return {
    instanceId,
    masterSecret,
    senderId,
    recipientId,
    aeadAlgorithm: numOf(v, OSC.AEAD),
    hmacAlgorithm: numOf(v, OSC.HMAC),
    masterSalt: bytesOf(v, OSC.MASTER_SALT),
    idContext: bytesOf(v, OSC.ID_CONTEXT),
  };
}

/**
 * The credentials of Security instance `securityInstanceId`. Throws when /0/x/17 links an
 * OSCORE instance that does not exist or lacks a mandatory resource: such an account must not
 * fall back to talking without OSCORE.
 */
export async function readAccountSecurity(tree: ObjectTree, securityInstanceId: number): Promise<AccountSecurity> {
  const v = await values(tree, 0, securityInstanceId);
  if (!v) throw new RangeError(`Security instance /0/${securityInstanceId} does not exist`);
  const uri = v.get(0)?.value;
  if (typeof uri !== 'string') throw new RangeError(`/0/${securityInstanceId}/0 (LwM2M Server URI) is not set`);
  const mode = numOf(v, 2) ?? 3;
  const publicKey = bytesOf(v, 3) ?? new Uint8Array(0);
  const secretKey = bytesOf(v, 5) ?? new Uint8Array(0);
  const lv = v.get(17);
  const link = lv?.type === 'objlnk' ? lv.value : undefined;
  let oscore: OscoreCredentials | undefined;
  // 65535:65535 is the "no link" objlnk.
  if (link && link.objectId === 21 && link.instanceId !== 65535) {
    oscore = await readOscore(tree, link.instanceId);
    if (!oscore)
      throw new RangeError(`/0/${securityInstanceId}/17 links /21/${link.instanceId}, which is missing or incomplete`);
  }
  return {
    serverUri: uri,
    bootstrap: v.get(1)?.value === true,
    shortServerId: numOf(v, 10),
    securityInstanceId,
    securityMode: mode,
    pskIdentity: mode === 0 ? new TextDecoder().decode(publicKey) : undefined,
    pskKey: mode === 0 ? secretKey : undefined,
    publicKey,
    serverPublicKey: bytesOf(v, 4) ?? new Uint8Array(0),
    secretKey,
    ...(oscore ? { oscore } : {}),
  };
}

const hex = (b: Uint8Array | undefined) => (b ? Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') : '-');

/** Same string = same credentials: the account's connection can be kept. */
export function securityFingerprint(a: AccountSecurity): string {
  const o = a.oscore;
  return [
    a.serverUri,
    a.securityMode,
    hex(a.publicKey),
    hex(a.serverPublicKey),
    hex(a.secretKey),
    o
      ? [o.instanceId, hex(o.masterSecret), hex(o.senderId), hex(o.recipientId), o.aeadAlgorithm, o.hmacAlgorithm]
          .concat([hex(o.masterSalt), hex(o.idContext)])
          .join(':')
      : 'no-oscore',
  ].join('|');
}
