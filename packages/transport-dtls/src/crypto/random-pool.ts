import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random bytes served from a buffer that `randomFillSync` refills 1 KiB at a time: a handshake
 * needs several small random values (randoms, session id, CIDs, CBC IVs), and one call into OpenSSL per value
 * costs more than the bytes. Each value is handed out once, as its own allocation (never a view of the pool, so
 * a long-lived session id does not keep the pool or a shared slab alive). One pool per transport.
 */
export class RandomPool {
  private readonly pool: Buffer;
  private offset: number;

  constructor(size = 1024) {
    this.pool = Buffer.allocUnsafeSlow(size);
    this.offset = size;
  }

  take(n: number): Buffer {
    const out = Buffer.allocUnsafeSlow(n);
    if (n > this.pool.length) return randomFillSync(out);
    if (this.offset + n > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    this.pool.copy(out, 0, this.offset, this.offset + n);
    // Bytes handed out are overwritten so they never linger in the pool.
    this.pool.fill(0, this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}
