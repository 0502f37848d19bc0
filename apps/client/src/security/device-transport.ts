/**
 * A device's transport, picked by the server URI's scheme: coap (UDP, optionally with an OSCORE
 * layer), coaps (DTLS: PSK, raw public key or X.509), coap+tcp, coaps+tcp (TLS: PSK or X.509) and
 * coap+ws. Also the Security object (/0) and OSCORE object (/21) values that describe the mode.
 */
import { createPrivateKey } from 'node:crypto';
import { type ObjectDefinition, type PlainContent, SecurityMode, SimpleInstance } from '@lwm2m-ts/client';
import type { MessageLayer, Peer, Transport } from '@lwm2m-ts/coap';
import {
  bytesToHex,
  createOscoreLayer,
  loadOscoreContextFile,
  type SecurityContext,
  type SecurityContextInput,
} from '@lwm2m-ts/oscore';
import { createDtlsClient, type DtlsClientOptions, type DtlsTransport } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport, type TcpTlsOptions } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport, socketTypeForHost } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import type { DeviceCredentials, PskCredentials } from './credentials';

export const SCHEMES = ['coap', 'coaps', 'coap+tcp', 'coaps+tcp', 'coap+ws'] as const;
export type SimulatedScheme = (typeof SCHEMES)[number];

/** Credentials that apply to one scheme; anything else given is an error. */
const ACCEPTS: Record<SimulatedScheme, readonly (keyof DeviceCredentials)[]> = {
  coap: ['oscore'],
  coaps: ['psk', 'sharedPsk', 'rpk', 'x509'],
  'coap+tcp': [],
  'coaps+tcp': ['psk', 'sharedPsk', 'x509'],
  'coap+ws': [],
};
const FLAG: Record<keyof DeviceCredentials, string> = {
  psk: '--psk-identity/--psk-key',
  sharedPsk: '--shared-psk',
  rpk: '--rpk',
  x509: '--cert/--key/--ca',
  oscore: '--oscore-context',
};
const NEEDS: Partial<Record<SimulatedScheme, string>> = {
  coaps:
    'coaps:// (DTLS) needs --psk-identity ID --psk-key HEX, --rpk FILE [--server-rpk FILE], or --cert FILE --key FILE --ca FILE',
  'coaps+tcp': 'coaps+tcp:// (TLS) needs --psk-identity ID --psk-key HEX, or --ca FILE [--cert FILE --key FILE]',
};

export function isSimulatedScheme(scheme: string): scheme is SimulatedScheme {
  return (SCHEMES as readonly string[]).includes(scheme);
}

/** Throws an Error saying which credentials do not fit the scheme, or which are missing. */
export function checkCredentials(scheme: string, c: DeviceCredentials): void {
  if (!isSimulatedScheme(scheme))
    throw new Error(`${scheme}:// is not simulated (use ${SCHEMES.map((s) => `${s}://`).join(', ')})`);
  for (const k of Object.keys(c) as (keyof DeviceCredentials)[])
    if (!ACCEPTS[scheme].includes(k)) throw new Error(`${FLAG[k]} does not apply to ${scheme}:// URIs`);
  if (scheme === 'coaps' && !c.psk && !c.rpk && !c.x509) throw new Error(NEEDS.coaps!);
  if (scheme === 'coaps' && c.x509 && !(c.x509.cert && c.x509.key && c.x509.ca))
    throw new Error('DTLS with X.509 needs --cert FILE --key FILE --ca FILE');
  if (scheme === 'coaps+tcp' && !c.psk && !c.x509?.ca) throw new Error(NEEDS['coaps+tcp']!);
}

/** The PSK identity of device `endpointName` in a fleet: IDENTITY + the endpoint's -0001 suffix. */
export function devicePsk(c: DeviceCredentials, suffix: string): PskCredentials | undefined {
  if (!c.psk) return undefined;
  return c.sharedPsk || suffix === '' ? c.psk : { identity: `${c.psk.identity}${suffix}`, key: c.psk.key };
}

export interface DeviceTransport {
  readonly transport: Transport;
  /** Extra Endpoint layers (OSCORE). */
  readonly layers: readonly MessageLayer[];
  /** DTLS: close the session, keeping it resumable (queue-mode sleep). */
  readonly suspend?: (peer: Peer) => void;
  readonly dtls?: DtlsTransport;
}

export interface OpenOptions {
  readonly scheme: SimulatedScheme;
  /** Server host (picks the socket family when `bindHost` is not given). */
  readonly host: string;
  readonly bindHost?: string;
  readonly socketBufferSize?: number;
  readonly psk?: PskCredentials;
  readonly credentials: DeviceCredentials;
  /** OSCORE: the device's context, kept across reboots so sequence numbers keep rising. */
  readonly oscoreContext?: () => SecurityContext;
}

export async function openDeviceTransport(o: OpenOptions): Promise<DeviceTransport> {
  const c = o.credentials;
  const v6 = o.host.includes(':');
  const bind = o.bindHost ?? (v6 ? '::' : '0.0.0.0');
  switch (o.scheme) {
    case 'coap': {
      const transport = await createUdpTransport({
        ...(o.bindHost !== undefined ? { host: o.bindHost } : { type: socketTypeForHost(o.host) }),
        port: 0,
        ...(o.socketBufferSize !== undefined
          ? { receiveBufferSize: o.socketBufferSize, sendBufferSize: o.socketBufferSize }
          : {}),
      });
      if (!c.oscore) return { transport, layers: [] };
      try {
        const context = o.oscoreContext?.() ?? loadOscoreContextFile(c.oscore.file);
        return { transport, layers: [createOscoreLayer({ contexts: context })] };
      } catch (e) {
        await transport.close();
        throw e;
      }
    }
    case 'coaps': {
      const options: DtlsClientOptions = {
        host: bind,
        port: 0,
        ...(o.psk ? { psk: o.psk } : {}),
        ...(c.rpk
          ? {
              rpk: {
                privateKey: c.rpk.privateKey,
                trusted: c.rpk.serverPublicKey ? [c.rpk.serverPublicKey] : () => true,
              },
            }
          : {}),
        ...(c.x509
          ? {
              ...(c.x509.ca ? { trustedCertificates: [c.x509.ca] } : {}),
              ...(c.x509.cert && c.x509.key ? { certificate: c.x509.cert, privateKey: c.x509.key } : {}),
            }
          : {}),
      };
      const dtls = await createDtlsClient(options);
      return { transport: dtls, layers: [], suspend: (peer) => dtls.disconnect(peer), dtls };
    }
    case 'coap+tcp':
      return { transport: await createTcpTransport({}), layers: [] };
    case 'coaps+tcp': {
      const tls: TcpTlsOptions = {
        ...(o.psk ? { psk: o.psk } : {}),
        ...(c.x509?.ca ? { ca: c.x509.ca } : {}),
        ...(c.x509?.cert ? { cert: c.x509.cert } : {}),
        ...(c.x509?.key ? { key: c.x509.key } : {}),
      };
      return { transport: await createTcpTransport({ tls }), layers: [] };
    }
    case 'coap+ws':
      return { transport: await createWsTransport({}), layers: [] };
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const pemBody = (pem: string) =>
  new Uint8Array(Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));

/** Security Mode (/0/x/2) for the scheme and credentials. */
export function securityModeOf(scheme: SimulatedScheme, c: DeviceCredentials): number {
  if (scheme === 'coaps' || scheme === 'coaps+tcp') {
    if (c.psk) return SecurityMode.PSK;
    if (c.rpk) return SecurityMode.RPK;
    return SecurityMode.CERTIFICATE;
  }
  return SecurityMode.NO_SEC;
}

export interface AccountOptions {
  readonly uri: string;
  readonly scheme: SimulatedScheme;
  readonly bootstrap: boolean;
  readonly shortServerId?: number;
  readonly psk?: PskCredentials;
  readonly credentials: DeviceCredentials;
}

/**
 * Security object (0) instance 0 as the spec describes it for the mode: /0/0/3 identity (PSK
 * identity, own raw public key, own certificate DER), /0/0/4 server public key or certificate,
 * /0/0/5 secret key (PSK key, own private key DER); OSCORE: /0/0/17 -> /21/0 and object 21.
 */
export function securityObjects(o: AccountOptions): ObjectDefinition[] {
  const c = o.credentials;
  const mode = securityModeOf(o.scheme, c);
  let identity: Uint8Array = new Uint8Array(0);
  let serverKey: Uint8Array = new Uint8Array(0);
  let secret: Uint8Array = new Uint8Array(0);
  if (mode === SecurityMode.PSK && o.psk) {
    identity = utf8(o.psk.identity);
    secret = o.psk.key;
  } else if (mode === SecurityMode.RPK && c.rpk) {
    identity = c.rpk.publicKey;
    serverKey = c.rpk.serverPublicKey ?? new Uint8Array(0);
    secret = pkcs8(c.rpk.privateKey);
  } else if (mode === SecurityMode.CERTIFICATE && c.x509) {
    if (c.x509.cert) identity = pemBody(c.x509.cert);
    if (c.x509.ca) serverKey = pemBody(c.x509.ca);
    if (c.x509.key) secret = pkcs8(c.x509.key);
  }
  const values: Record<number, PlainContent> = {
    0: o.uri,
    1: o.bootstrap,
    2: mode,
    3: identity,
    4: serverKey,
    5: secret,
  };
  if (!o.bootstrap) values[10] = o.shortServerId ?? 1;
  const defs: ObjectDefinition[] = [];
  if (c.oscore) {
    values[17] = { objectId: 21, instanceId: 0 };
    defs.push({ id: 21, instances: { 0: new OscoreInstance(c.oscore.input) } });
  }
  defs.unshift({ id: 0, instances: { 0: new SimpleInstance({ values }) } });
  return defs;
}

/**
 * OSCORE object (21) instance: its ids, secret and salt are strings (hex) in object 21 1.0 and
 * opaque in 2.0; the values are typed for whichever version the client exposes.
 */
class OscoreInstance extends SimpleInstance {
  constructor(private readonly input: SecurityContextInput) {
    super({});
  }

  override bind(binding: Parameters<SimpleInstance['bind']>[0]): void {
    super.bind(binding);
    const x = this.input;
    const opaque = binding.model.resources.get(0)?.type === 'opaque';
    const bytes = (b: Uint8Array) => (opaque ? b : bytesToHex(b));
    this.store(0, bytes(x.masterSecret));
    this.store(1, bytes(x.senderId));
    this.store(2, bytes(x.recipientId));
    this.store(3, x.aeadAlgorithm ?? 10);
    this.store(4, 5); // HMAC 256/256 (COSE): the HKDF-SHA-256 the context uses
    this.store(5, bytes(x.masterSalt ?? new Uint8Array(0)));
    if (x.idContext && binding.model.resources.has(6)) this.store(6, bytes(x.idContext));
  }
}

function pkcs8(pem: string): Uint8Array {
  return new Uint8Array(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
}
