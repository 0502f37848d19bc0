import { createHmac } from 'node:crypto';

/**
 * TLS 1.2 PRF with SHA-256 (RFC 5246 section 5): P_SHA256(secret, label + seed). A(1) = HMAC(secret, label +
 * seed), each output block = HMAC(secret, A(i) + label + seed), A(i+1) = HMAC(secret, A(i)) only while more output
 * is needed: the fewest HMACs the construction allows (2 for Finished, 4 for the master secret and a CCM key
 * block). Label and seed are streamed into each HMAC rather than concatenated, and the raw secret is handed to
 * createHmac directly (building a KeyObject first costs more than it saves for 2-4 uses).
 */
export function prfSha256(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let a = createHmac('sha256', secret).update(label, 'latin1').update(seed).digest();
  let filled = 0;
  for (;;) {
    const block = createHmac('sha256', secret).update(a).update(label, 'latin1').update(seed).digest();
    filled += block.copy(out, filled);
    if (filled >= length) return out;
    a = createHmac('sha256', secret).update(a).digest();
  }
}

export function masterSecret(preMaster: Buffer, clientRandom: Buffer, serverRandom: Buffer): Buffer {
  return prfSha256(preMaster, 'master secret', Buffer.concat([clientRandom, serverRandom], 64), 48);
}

/** RFC 7627: the session hash covers every handshake message up to and including ClientKeyExchange. */
export function extendedMasterSecret(preMaster: Buffer, sessionHash: Buffer): Buffer {
  return prfSha256(preMaster, 'extended master secret', sessionHash, 48);
}

export function keyBlock(master: Buffer, clientRandom: Buffer, serverRandom: Buffer, length: number): Buffer {
  return prfSha256(master, 'key expansion', Buffer.concat([serverRandom, clientRandom], 64), length);
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
