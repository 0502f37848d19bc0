/**
 * Credentials for the secured-transport tests: EC P-256 key pairs from node:crypto and
 * self-signed certificates from the openssl command line (node:crypto cannot issue them).
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deviceInstance,
  LwM2mClient,
  type SecurityInstanceOptions,
  securityInstance,
  serverInstance,
} from '@lwm2m-ts/client';
import type { Transport } from '@lwm2m-ts/coap';

export interface KeyPair {
  /** PEM PKCS#8. */
  readonly privateKey: string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

export function ecKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spki: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })),
  };
}

export interface Certificate {
  readonly certificate: string;
  readonly privateKey: string;
}

/** A self-signed EC P-256 certificate for `commonName` (with `subjectAltName` such as "IP:127.0.0.1"). */
export function selfSigned(commonName: string, subjectAltName?: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'server-app-x509-'));
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`, '-newkey', 'ec'],
        ...['-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', key, '-out', cert],
        ...(subjectAltName ? ['-addext', `subjectAltName=${subjectAltName}`] : []),
      ],
      { stdio: 'pipe' },
    );
    return { certificate: readFileSync(cert, 'utf8'), privateKey: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
