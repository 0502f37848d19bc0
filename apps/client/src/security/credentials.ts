/**
 * Device credentials for the secured transports, loaded from the command-line flags: PSK (DTLS and
 * TLS), raw public keys (DTLS), X.509 (DTLS and TLS) and an OSCORE context file. Every problem is an
 * Error that names the flag and what was wrong.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseOscoreContextJson, type SecurityContextInput } from '@lwm2m-ts/oscore';

export interface PskCredentials {
  readonly identity: string;
  readonly key: Uint8Array;
}

export interface DeviceCredentials {
  readonly psk?: PskCredentials;
  /** In a fleet, every device uses `psk.identity` as is (default: IDENTITY-0001, ...). */
  readonly sharedPsk?: boolean;
  /** Raw public key (DTLS): own EC P-256 private key (PEM) and the trusted server key (DER SPKI). */
  readonly rpk?: { readonly privateKey: string; readonly publicKey: Uint8Array; readonly serverPublicKey?: Uint8Array };
  /** X.509: own certificate + key (PEM), and the CA that signs the server's certificate. */
  readonly x509?: { readonly cert?: string; readonly key?: string; readonly ca?: string };
  /** OSCORE security context (JSON file, as `@lwm2m-ts/oscore` loads it). */
  readonly oscore?: { readonly file: string; readonly input: SecurityContextInput };
}

export interface CredentialFlags {
  readonly pskIdentity?: string;
  readonly pskKey?: string;
  readonly sharedPsk?: boolean;
  readonly rpk?: string;
  readonly serverRpk?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly oscoreContext?: string;
}

function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `${flag} ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

function privateKeyOf(flag: string, file: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new Error(`${flag} ${file}: not a PEM private key (${(e as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error(
      `${flag} ${file}: needs an EC P-256 key, got ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trimEnd(),
    );
  return key;
}

/** DER SubjectPublicKeyInfo of a PEM public key, or of the public half of a PEM private key. */
function publicKeyDer(flag: string, file: string, pem: string): Uint8Array {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ec') throw new Error(`an EC key is needed, got ${key.asymmetricKeyType}`);
    return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  } catch (e) {
    throw new Error(`${flag} ${file}: not a PEM EC public (or private) key (${(e as Error).message})`);
  }
}

function hexKey(text: string): Uint8Array {
  const hex = text.startsWith('0x') ? text.slice(2) : text;
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex))
    throw new Error(
      `--psk-key must be an even number of hex digits, e.g. 000102030405060708090a0b0c0d0e0f (got "${text}")`,
    );
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Flags -> credentials (files read and checked). Throws Error naming the flag. */
export function loadCredentials(f: CredentialFlags): DeviceCredentials {
  if ((f.pskIdentity === undefined) !== (f.pskKey === undefined))
    throw new Error('PSK needs both --psk-identity ID and --psk-key HEX');
  if (f.serverRpk !== undefined && f.rpk === undefined)
    throw new Error('--server-rpk needs --rpk FILE (the device key)');
  if ((f.cert === undefined) !== (f.key === undefined))
    throw new Error('a client certificate needs both --cert FILE and --key FILE');
  if (f.sharedPsk && f.pskIdentity === undefined) throw new Error('--shared-psk needs --psk-identity and --psk-key');
  const modes = [f.pskIdentity !== undefined, f.rpk !== undefined, f.cert !== undefined].filter(Boolean).length;
  if (modes > 1) throw new Error('give one of --psk-identity/--psk-key, --rpk or --cert/--key, not several');
  let rpk: DeviceCredentials['rpk'];
  if (f.rpk !== undefined) {
    const pem = readText('--rpk', f.rpk);
    privateKeyOf('--rpk', f.rpk, pem);
    rpk = {
      privateKey: pem,
      publicKey: publicKeyDer('--rpk', f.rpk, pem),
      ...(f.serverRpk !== undefined
        ? { serverPublicKey: publicKeyDer('--server-rpk', f.serverRpk, readText('--server-rpk', f.serverRpk)) }
        : {}),
    };
  }
  let x509: DeviceCredentials['x509'];
  if (f.cert !== undefined || f.ca !== undefined) {
    const cert = f.cert !== undefined ? readText('--cert', f.cert) : undefined;
    if (cert !== undefined && !cert.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`--cert ${f.cert}: not a PEM certificate (no BEGIN CERTIFICATE line)`);
    const key = f.key !== undefined ? readText('--key', f.key) : undefined;
    if (key !== undefined) privateKeyOf('--key', f.key!, key);
    const ca = f.ca !== undefined ? readText('--ca', f.ca) : undefined;
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`--ca ${f.ca}: not a PEM certificate (no BEGIN CERTIFICATE line)`);
    x509 = { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
  }
  let oscore: DeviceCredentials['oscore'];
  if (f.oscoreContext !== undefined) {
    const text = readText('--oscore-context', f.oscoreContext);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`--oscore-context ${f.oscoreContext}: not JSON (${(e as Error).message})`);
    }
    try {
      oscore = { file: f.oscoreContext, input: parseOscoreContextJson(json, `--oscore-context ${f.oscoreContext}`) };
    } catch (e) {
      throw new Error((e as Error).message);
    }
  }
  return {
    ...(f.pskIdentity !== undefined && f.pskKey !== undefined
      ? { psk: { identity: f.pskIdentity, key: hexKey(f.pskKey) } }
      : {}),
    ...(f.sharedPsk ? { sharedPsk: true } : {}),
    ...(rpk ? { rpk } : {}),
    ...(x509 ? { x509 } : {}),
    ...(oscore ? { oscore } : {}),
  };
}
