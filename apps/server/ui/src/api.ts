/** Calls to the app's REST API, with the bearer token kept in localStorage when one is needed. */
const TOKEN_KEY = 'lwm2m-api-token';

export const getToken = (): string => localStorage.getItem(TOKEN_KEY) ?? '';
export const setToken = (token: string): void => {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: { error?: string; coapCode?: string; queuedRequestId?: string } = {},
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
export const onUnauthorized = (listener: Listener) => {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
};

/** A parsed JSON answer whose shape the caller names. */
// biome-ignore lint/suspicious/noExplicitAny: the default type of untyped calls
type Untyped = any;

export async function call<T = Untyped>(method: string, url: string, body?: unknown, contentType?: string): Promise<T> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === 'string') {
      headers['content-type'] = contentType ?? 'text/plain';
      payload = body;
    } else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  const response = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await response.text();
  let json: Untyped;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (response.status === 401) for (const l of unauthorizedListeners) l();
  if (!response.ok)
    throw new ApiError(response.status, json?.message ?? `${response.status} ${response.statusText}`, json ?? {});
  return json as T;
}

export const enc = encodeURIComponent;
export const clientUrl = (endpoint: string, rest = '') => `/api/clients/${enc(endpoint)}${rest}`;

/** URL of the event stream with the token as a query parameter (EventSource cannot set headers). */
export function eventsUrl(params: Record<string, string>): string {
  const q = new URLSearchParams(params);
  const token = getToken();
  if (token) q.set('access_token', token);
  return `/api/events?${q}`;
}
