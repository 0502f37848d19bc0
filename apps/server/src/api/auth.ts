/** Bearer-token check for the API (constant-time comparison of digests). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type TokenCheck = (request: IncomingMessage, url: URL) => boolean;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * A check that accepts `Authorization: Bearer <token>` or, on the event stream only (browsers'
 * EventSource and WebSocket cannot set headers), `?access_token=`.
 */
export function bearerTokenCheck(token: string | undefined): TokenCheck {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (request, url) => {
    const header = request.headers.authorization;
    const fromQuery = url.pathname.startsWith('/api/events') ? url.searchParams.get('access_token') : null;
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : (fromQuery ?? undefined);
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || h === '::ffff:127.0.0.1';
}
