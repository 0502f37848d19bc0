import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ecKeyPair,
  runOpenssl,
  selfSignedCertificate,
  writeEcPrivateKey,
  writeEcPublicKey,
  writeOscoreContexts,
  writeSelfSignedCertificate,
} from './index';

const dir = mkdtempSync(join(tmpdir(), 'test-pki-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('test-pki', () => {
  it('writes a self-signed P-256 certificate with the subject and SAN asked for, and its key', () => {
    const files = writeSelfSignedCertificate(dir, { subjectAltName: 'IP:127.0.0.1,DNS:localhost' });
    const cert = new X509Certificate(readFileSync(files.cert));
    expect(cert.subject).toBe('CN=localhost');
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(files.key)))).toBe(true);
  });

  it('returns a certificate as PEM text without a SAN when none is given', () => {
    const { certificate, privateKey } = selfSignedCertificate('device-42');
    const cert = new X509Certificate(certificate);
    expect(cert.subject).toBe('CN=device-42');
    expect(cert.subjectAltName).toBeUndefined();
    expect(privateKey).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('writes EC keys as PKCS#8 or SEC1 and the public half as SPKI', () => {
    const key = writeEcPrivateKey(join(dir, 'k8.pem'));
    writeEcPrivateKey(join(dir, 'k1.pem'), key, 'sec1');
    writeEcPublicKey(join(dir, 'pub.pem'), key);
    expect(readFileSync(join(dir, 'k8.pem'), 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect(readFileSync(join(dir, 'k1.pem'), 'utf8')).toContain('-----BEGIN EC PRIVATE KEY-----');
    expect(createPublicKey(readFileSync(join(dir, 'pub.pem'))).equals(createPublicKey(key))).toBe(true);
    const pair = ecKeyPair();
    expect(createPublicKey({ key: Buffer.from(pair.spki), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
  });

  it('writes OSCORE contexts whose ids mirror each other', () => {
    const files = writeOscoreContexts(dir);
    const client = JSON.parse(readFileSync(files.client, 'utf8'));
    const server = JSON.parse(readFileSync(files.server, 'utf8'));
    expect([client.senderId, client.recipientId]).toEqual(['01', '']);
    expect([server.senderId, server.recipientId]).toEqual(['', '01']);
    expect(server.masterSecret).toBe(client.masterSecret);
  });

  it("reports openssl's own message when it fails", () => {
    expect(() => runOpenssl(['req', '-no-such-option'])).toThrow(/openssl req -no-such-option failed: .+/);
  });
});
