/**
 * Self-signed EC P-256 certificates made with the openssl command line (node:crypto cannot
 * issue certificates). Each side trusts exactly the other's certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  /** PEM certificate. */
  readonly certificate: string;
  /** PEM PKCS#8 private key. */
  readonly privateKey: string;
}

/** A certificate for `commonName`, with `subjectAltName` (e.g. "IP:127.0.0.1") when given. */
export function selfSignedCertificate(commonName: string, subjectAltName?: string): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-x509-'));
  try {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-nodes', '-days', '1', '-subj', `/CN=${commonName}`],
        ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', keyPath, '-out', certPath],
        ...(subjectAltName ? ['-addext', `subjectAltName=${subjectAltName}`] : []),
      ],
      { stdio: 'pipe' },
    );
    return { certificate: readFileSync(certPath, 'utf8'), privateKey: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
