/**
 * Credentials for the secured-transport tests: EC P-256 key pairs from node:crypto and
 * self-signed certificates from the openssl command line (both from @lwm2m-ts/test-pki).
 */
import {
  deviceInstance,
  LwM2mClient,
  type SecurityInstanceOptions,
  securityInstance,
  serverInstance,
} from '@lwm2m-ts/client';
import type { Transport } from '@lwm2m-ts/coap';

export { type Certificate, ecKeyPair, type KeyPair, selfSignedCertificate as selfSigned } from '@lwm2m-ts/test-pki';

/** A device with objects 0 (one server account), 1 and 3 on a given transport. */
export function secureDevice(
  endpointName: string,
  transport: Transport,
  security: SecurityInstanceOptions,
): LwM2mClient {
  return new LwM2mClient({
    endpointName,
    transport,
    objects: [
      { id: 0, instances: { 0: securityInstance(security) } },
      { id: 1, instances: { 0: serverInstance({ shortServerId: 1, lifetime: 300 }) } },
      { id: 3, instances: { 0: deviceInstance({ manufacturer: 'lwm2m-ts', modelNumber: endpointName }) } },
    ],
  });
}
