/** RFC 7641 §3.4: is notification (v2, received at t2) newer than (v1, t1)? 24-bit sequence numbers. */
const HALF = 1 << 23;
const STALE_MS = 128_000;

export function isNewerNotification(v1: number, t1: number, v2: number, t2: number): boolean {
  return (v1 < v2 && v2 - v1 < HALF) || (v1 > v2 && v1 - v2 > HALF) || t2 > t1 + STALE_MS;
}
