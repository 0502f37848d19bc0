/**
 * The application side of the security seam, for tests: a `TransportFactory` that builds a
 * DTLS client (PSK or RPK) or UDP + an OSCORE layer from an account's Security / OSCORE values,
 * and keeps what it built so tests can inspect the transports.
 */
import { createOscoreLayer, createSecurityContext } from '@lwm2m-ts/oscore';
import { createDtlsClient, type DtlsTransport } from '@lwm2m-ts/transport-dtls';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { type AccountSecurity, SecurityMode, type TransportFactory } from '../src/index';

export interface BuiltTransport {
  readonly account: AccountSecurity;
  readonly kind: 'dtls-psk' | 'dtls-rpk' | 'oscore' | 'udp';
  readonly dtls?: DtlsTransport;
}

export function testTransportFactory(built: BuiltTransport[] = []): TransportFactory {
  return async (account) => {
    if (account.oscore) {
      const o = account.oscore;
      const context = createSecurityContext({
        masterSecret: o.masterSecret,
        senderId: o.senderId,
        recipientId: o.recipientId,
        ...(o.masterSalt ? { masterSalt: o.masterSalt } : {}),
        ...(o.idContext && o.idContext.length > 0 ? { idContext: o.idContext } : {}),
        ...(o.aeadAlgorithm !== undefined ? { aeadAlgorithm: o.aeadAlgorithm } : {}),
      });
      built.push({ account, kind: 'oscore' });
      return {
        transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }),
        layers: [createOscoreLayer({ contexts: context })],
      };
    }
    switch (account.securityMode) {
      case SecurityMode.PSK: {
        const dtls = await createDtlsClient({
          host: '127.0.0.1',
          psk: { identity: account.pskIdentity!, key: account.pskKey! },
        });
        built.push({ account, kind: 'dtls-psk', dtls });
        return { transport: dtls };
      }
      case SecurityMode.RPK: {
        const dtls = await createDtlsClient({
          host: '127.0.0.1',
          rpk: { privateKey: account.secretKey, trusted: [account.serverPublicKey] },
        });
        built.push({ account, kind: 'dtls-rpk', dtls });
        return { transport: dtls };
      }
      case SecurityMode.NO_SEC:
        built.push({ account, kind: 'udp' });
        return { transport: await createUdpTransport({ host: '127.0.0.1', port: 0 }) };
      default:
        throw new Error(`security mode ${account.securityMode} is not supported by this factory`);
    }
  };
}
