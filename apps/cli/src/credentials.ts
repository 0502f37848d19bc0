/**
 * Security flags shared by the client commands and `coap serve`: PSK (DTLS and TLS), a raw public
 * key (DTLS), X.509 files (DTLS and TLS) and an OSCORE context file. Everything is read and checked
 * up front, so a bad file or a half-given credential is a usage error (exit 2) before any socket opens.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FileSequenceNumberStore, loadOscoreContextFile, type SecurityContext } from '@lwm2m-ts/oscore';
import { CliError, ExitCode } from './cli-io';

/** The flags as commander hands them over. */
export interface SecurityFlags {
  readonly pskIdentity?: string;
  readonly pskKey?: string;
  readonly rpk?: string;
  readonly peerRpk?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly oscoreContext?: string;
  /** Where the OSCORE sender sequence number is kept between runs (default: the context file + `.seq`). */
  readonly oscoreSeq?: string;
}

export interface Credentials {
  readonly psk?: { readonly identity: string; readonly key: Uint8Array };
  /** PEM EC private key for DTLS raw public keys. */
  readonly rpkPrivateKey?: string;
  /** DER SubjectPublicKeyInfo the peer's raw public key must equal (undefined: any, with a warning). */
  readonly peerRpk?: Uint8Array;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly oscore?: SecurityContext;
  /** The file the OSCORE context came from (for messages). */
  readonly oscoreFile?: string;
}

const usage = (message: string) => new CliError(message, ExitCode.USAGE);

/** Hex PSK (`73656372657450534b`, optional `0x`); libcoap's `-k secretPSK` is the same key as text. */
export function parsePskKey(text: string): Uint8Array {
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex))
    throw usage(
      `--psk-key must be hex bytes (e.g. 73656372657450534b for "secretPSK"), got "${text}"; ` +
        `convert text with: printf %s 'secretPSK' | xxd -p`,
    );
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(`${flag} ${path}: cannot read the file (${code ?? (err as Error).message})`);
  }
}

function readPrivateKey(path: string, flag: string): string {
  const pem = readText(path, flag);
  try {
    const k = createPrivateKey(pem);
    if (k.asymmetricKeyType !== 'ec') throw new Error(`a ${k.asymmetricKeyType} key, expected an EC (P-256) key`);
  } catch (err) {
    throw usage(`${flag} ${path}: not a PEM EC private key (${(err as Error).message})`);
  }
  return pem;
}

function readCertificate(path: string, flag: string): string {
  const pem = readText(path, flag);
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw usage(`${flag} ${path}: not a PEM X.509 certificate (${(err as Error).message})`);
  }
  return pem;
}

/** A PEM public key, or the public half of a PEM private key, as DER SubjectPublicKeyInfo. */
function readSpki(path: string, flag: string): Uint8Array {
  const pem = readText(path, flag);
  try {
    const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return Uint8Array.from(spki);
  } catch (err) {
    throw usage(`${flag} ${path}: not a PEM public or private key (${(err as Error).message})`);
  }
}

/** Reads and checks every given security flag. */
export function loadCredentials(f: SecurityFlags): Credentials {
  if ((f.pskIdentity === undefined) !== (f.pskKey === undefined))
    throw usage('PSK needs both --psk-identity ID and --psk-key HEX');
  if (f.cert !== undefined && f.key === undefined) throw usage('--cert needs --key FILE (its private key)');
  if (f.key !== undefined && f.cert === undefined) throw usage('--key needs --cert FILE (its certificate)');
  let oscore: SecurityContext | undefined;
  if (f.oscoreContext !== undefined) {
    try {
      // Every run starts from the same file: without a persisted sequence number the second run would
      // reuse nonces and be refused as a replay. The replay window itself is not persisted (the layer
      // cannot run the Echo exchange of Appendix B.1.2), so a restarted `serve` accepts any fresh number.
      oscore = loadOscoreContextFile(f.oscoreContext, {
        sequenceStore: new FileSequenceNumberStore(f.oscoreSeq ?? `${f.oscoreContext}.seq`),
        replayWindowLost: false,
      });
    } catch (err) {
      throw usage(`--oscore-context: ${(err as Error).message}`);
    }
  }
  const cert = f.cert !== undefined ? readCertificate(f.cert, '--cert') : undefined;
  const key = f.key !== undefined ? readPrivateKey(f.key, '--key') : undefined;
  if (cert !== undefined && key !== undefined && !new X509Certificate(cert).checkPrivateKey(createPrivateKey(key)))
    throw usage(`--key ${f.key} is not the private key of --cert ${f.cert}`);
  return {
    ...(f.pskIdentity !== undefined && f.pskKey !== undefined
      ? { psk: { identity: f.pskIdentity, key: parsePskKey(f.pskKey) } }
      : {}),
    ...(f.rpk !== undefined ? { rpkPrivateKey: readPrivateKey(f.rpk, '--rpk') } : {}),
    ...(f.peerRpk !== undefined ? { peerRpk: readSpki(f.peerRpk, '--peer-rpk') } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(f.ca !== undefined ? { ca: readCertificate(f.ca, '--ca') } : {}),
    ...(oscore ? { oscore, oscoreFile: f.oscoreContext } : {}),
  };
}
