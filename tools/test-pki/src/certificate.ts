import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOpenssl } from './openssl';

export interface SelfSignedOptions {
  /** Subject common name; default "localhost". */
  readonly commonName?: string;
  /** openssl subjectAltName value, e.g. "IP:127.0.0.1,DNS:localhost"; none when left out. */
  readonly subjectAltName?: string;
  /** Validity in days; default 2. */
  readonly days?: number;
  /** File names inside the folder; default cert.pem and key.pem. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface CertificateFiles {
  /** Path of the PEM certificate (self-signed, so also its own CA). */
  readonly cert: string;
  /** Path of its PEM PKCS#8 private key. */
  readonly key: string;
}

export interface Certificate {
  /** PEM certificate. */
  readonly certificate: string;
  /** PEM PKCS#8 private key. */
  readonly privateKey: string;
}

/** Writes a self-signed EC P-256 certificate and its key into `dir`. */
export function writeSelfSignedCertificate(dir: string, options: SelfSignedOptions = {}): CertificateFiles {
  const cert = join(dir, options.certFile ?? 'cert.pem');
  const key = join(dir, options.keyFile ?? 'key.pem');
  runOpenssl([
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', String(options.days ?? 2)],
    ...['-subj', `/CN=${options.commonName ?? 'localhost'}`],
    ...(options.subjectAltName ? ['-addext', `subjectAltName=${options.subjectAltName}`] : []),
  ]);
  return { cert, key };
}

/** A self-signed EC P-256 certificate for `commonName`, as PEM text (its temp files are removed). */
export function selfSignedCertificate(
  commonName: string,
  subjectAltName?: string,
  options: { days?: number } = {},
): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'test-pki-x509-'));
  try {
    const files = writeSelfSignedCertificate(dir, { commonName, subjectAltName, days: options.days });
    return { certificate: readFileSync(files.cert, 'utf8'), privateKey: readFileSync(files.key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
