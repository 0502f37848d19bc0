import { createHmac, timingSafeEqual } from 'node:crypto';
import { cookieOffsets } from './messages';

/**
 * Stateless HelloVerifyRequest cookies (RFC 6347 4.2.1): HMAC-SHA256 over the client address and the whole
 * ClientHello except its cookie, keyed by a secret that rotates every `lifetimeMs`. The previous secret stays
 * valid for one more period so a client caught by a rotation still gets through.
 */
export class CookieJar {
  private current: Buffer;
  private previous: Buffer | undefined;
  private rotatedAt: number;

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number,
    private readonly random: (n: number) => Buffer,
  ) {
    this.current = random(32);
    this.rotatedAt = now();
  }

  private rotateIfDue(): void {
    const t = this.now();
    if (t - this.rotatedAt < this.lifetimeMs) return;
    // After a long pause both secrets are stale.
    this.previous = t - this.rotatedAt < 2 * this.lifetimeMs ? this.current : undefined;
    this.current = this.random(32);
    this.rotatedAt = t;
  }

  private compute(secret: Buffer, address: string, port: number, clientHelloBody: Buffer): Buffer {
    const { start, end } = cookieOffsets(clientHelloBody);
    return createHmac('sha256', secret)
      .update(`${address}|${port}|`)
      .update(clientHelloBody.subarray(0, start))
      .update(clientHelloBody.subarray(end))
      .digest();
  }

  make(address: string, port: number, clientHelloBody: Buffer): Buffer {
    this.rotateIfDue();
    return this.compute(this.current, address, port, clientHelloBody);
  }

  verify(address: string, port: number, clientHelloBody: Buffer, cookie: Buffer): boolean {
    if (cookie.length !== 32) return false;
    this.rotateIfDue();
    for (const secret of [this.current, this.previous]) {
      if (secret && timingSafeEqual(this.compute(secret, address, port, clientHelloBody), cookie)) return true;
    }
    return false;
  }
}
