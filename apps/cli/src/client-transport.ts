/**
 * The client side's transport, chosen from the URI scheme: coap (UDP), coaps (DTLS), coap+tcp,
 * coaps+tcp (TLS), coap+ws, coaps+ws. Credentials a scheme cannot use, or a secure scheme without
 * any, are usage errors that say which flags to give.
 */
import type { Transport } from '@lwm2m-ts/coap';
import type { CoapUri } from '@lwm2m-ts/codec';
import { createDtlsClient, type DtlsClientOptions } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport, type TcpTlsOptions } from '@lwm2m-ts/transport-tcp';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import { CliError, ExitCode } from './cli-io';
import type { Credentials } from './credentials';

const usage = (message: string) => new CliError(message, ExitCode.USAGE);

function refuse(scheme: string, c: Credentials, allowed: readonly (keyof Credentials)[]): void {
  const flags: Record<string, string> = {
    psk: '--psk-identity/--psk-key',
    rpkPrivateKey: '--rpk',
    peerRpk: '--peer-rpk',
    cert: '--cert/--key',
    ca: '--ca',
  };
  for (const [field, flag] of Object.entries(flags))
    if (c[field as keyof Credentials] !== undefined && !allowed.includes(field as keyof Credentials))
      throw usage(`${flag} does not apply to ${scheme}:// (${schemeCredentials[scheme] ?? 'no transport security'})`);
}

const schemeCredentials: Record<string, string> = {
  coaps: 'DTLS takes --psk-identity/--psk-key, --rpk [--peer-rpk], or --ca [--cert/--key]',
  'coaps+tcp': 'TLS takes --psk-identity/--psk-key, or --ca [--cert/--key]',
  'coaps+ws': 'wss takes --ca',
};

export interface ClientTransportOptions {
  /** Warnings (e.g. an unverified raw public key). */
  readonly warn: (line: string) => void;
  /** Connection / handshake deadline (ms). */
  readonly connectTimeoutMs: number;
}

export async function openClientTransport(u: CoapUri, c: Credentials, o: ClientTransportOptions): Promise<Transport> {
  const v6 = u.host.includes(':');
  switch (u.scheme) {
    case 'coap':
      refuse('coap', c, []);
      return createUdpTransport({ type: v6 ? 'udp6' : 'udp4' });
    case 'coap+tcp':
      refuse('coap+tcp', c, []);
      return createTcpTransport({ connectTimeoutMs: o.connectTimeoutMs });
    case 'coap+ws':
      refuse('coap+ws', c, []);
      return createWsTransport({ connectTimeoutMs: o.connectTimeoutMs });
    case 'coaps+ws':
      refuse('coaps+ws', c, ['ca']);
      return createWsTransport({ secure: true, connectTimeoutMs: o.connectTimeoutMs, ...(c.ca ? { ca: c.ca } : {}) });
    case 'coaps+tcp': {
      refuse('coaps+tcp', c, ['psk', 'cert', 'key', 'ca']);
      if (!c.psk && !c.ca)
        throw usage(
          'coaps+tcp:// needs credentials: --psk-identity ID --psk-key HEX, or --ca FILE to verify the server (plus --cert/--key for a client certificate)',
        );
      const tls: TcpTlsOptions = {
        ...(c.psk ? { psk: c.psk } : {}),
        ...(c.ca ? { ca: c.ca } : {}),
        ...(c.cert ? { cert: c.cert } : {}),
        ...(c.key ? { key: c.key } : {}),
      };
      return createTcpTransport({ tls, connectTimeoutMs: o.connectTimeoutMs });
    }
    case 'coaps': {
      refuse('coaps', c, ['psk', 'rpkPrivateKey', 'peerRpk', 'cert', 'key', 'ca']);
      return createDtlsClient(dtlsClientOptions(c, v6, o.warn));
    }
    default:
      throw usage(`scheme ${u.scheme}:// is not supported`);
  }
}

function dtlsClientOptions(c: Credentials, v6: boolean, warn: (line: string) => void): DtlsClientOptions {
  if (!c.psk && !c.rpkPrivateKey && !c.ca)
    throw usage(
      'coaps:// needs credentials: --psk-identity ID --psk-key HEX (PSK), --rpk FILE (raw public key), or --ca FILE [--cert FILE --key FILE] (X.509)',
    );
  if (c.peerRpk && !c.rpkPrivateKey) throw usage('--peer-rpk needs --rpk FILE (our own raw public key)');
  if (c.rpkPrivateKey && c.cert) throw usage('give either --rpk or --cert/--key for DTLS, not both');
  const peerRpk = c.peerRpk;
  if (c.rpkPrivateKey && !peerRpk)
    warn("coap: warning: the server's raw public key is not verified (give --peer-rpk FILE to pin it)");
  return {
    host: v6 ? '::' : '0.0.0.0',
    ...(c.psk ? { psk: c.psk } : {}),
    ...(c.rpkPrivateKey
      ? {
          rpk: {
            privateKey: c.rpkPrivateKey,
            trusted: peerRpk ? [peerRpk] : () => true,
          },
        }
      : {}),
    ...(c.ca ? { trustedCertificates: [c.ca] } : {}),
    ...(c.cert && c.key ? { certificate: c.cert, privateKey: c.key } : {}),
  };
}
