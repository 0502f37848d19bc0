/** Starts the app on loopback with free ports, plus helpers to call its API. */
import { type ServerApp, type ServerAppOptions, startServerApp } from '../src/index';

export async function startTestApp(options: ServerAppOptions = {}): Promise<ServerApp> {
  return startServerApp({
    coapHost: '127.0.0.1',
    coapPort: 0,
    bsHost: '127.0.0.1',
    bsPort: 0,
    coapsHost: '127.0.0.1',
    coapsPort: 0,
    bsCoapsPort: 0,
    httpHost: '127.0.0.1',
    httpPort: 0,
    requestTimeoutMs: 5_000,
    ...options,
  });
}

/** Parsed JSON answers; each test asserts the shape it relies on. */
// biome-ignore lint/suspicious/noExplicitAny: test-only JSON, checked by the assertions that use it
export type Json = any;

export async function api(
  app: ServerApp,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; text: string }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (typeof body === 'string') {
      (init.headers as Record<string, string>)['content-type'] ??= 'text/plain';
      init.body = body;
    } else {
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  const response = await fetch(`${app.httpUrl}${url}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** Polls until `check` returns a value (bounded). */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
