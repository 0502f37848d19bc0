import { createHash, createHmac, createSecretKey } from 'node:crypto';

/** TLS 1.2 PRF with SHA-256 (RFC 5246 section 5). */
export function prfSha256(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const out = Buffer.allocUnsafe(length);
  // One KeyObject for all HMACs of this call: cheaper than handing Node the raw key each time.
  const key = createSecretKey(secret);
  let a = labelSeed;
  let filled = 0;
  while (filled < length) {
    a = createHmac('sha256', key).update(a).digest();
    const block = createHmac('sha256', key).update(a).update(labelSeed).digest();
    filled += block.copy(out, filled);
  }
  return out;
}

export const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function masterSecret(preMaster: Buffer, clientRandom: Buffer, serverRandom: Buffer): Buffer {
  return prfSha256(preMaster, 'master secret', Buffer.concat([clientRandom, serverRandom]), 48);
}

/** RFC 7627: the session hash covers every handshake message up to and including ClientKeyExchange. */
export function extendedMasterSecret(preMaster: Buffer, sessionHash: Buffer): Buffer {
  return prfSha256(preMaster, 'extended master secret', sessionHash, 48);
}

export function keyBlock(master: Buffer, clientRandom: Buffer, serverRandom: Buffer, length: number): Buffer {
  return prfSha256(master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

export function finishedVerifyData(master: Buffer, fromClient: boolean, transcriptHash: Buffer): Buffer {
  return prfSha256(master, fromClient ? 'client finished' : 'server finished', transcriptHash, 12);
}

/** PSK pre-master secret (RFC 4279 section 2): other_secret is N zero bytes for plain PSK. */
export function pskPreMaster(psk: Buffer, otherSecret?: Buffer): Buffer {
  const other = otherSecret ?? Buffer.alloc(psk.length);
  const out = Buffer.allocUnsafe(4 + other.length + psk.length);
  out.writeUInt16BE(other.length, 0);
  other.copy(out, 2);
  out.writeUInt16BE(psk.length, 2 + other.length);
  psk.copy(out, 4 + other.length);
  return out;
}
