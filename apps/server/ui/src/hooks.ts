/** Small React hooks: live events, navigation, async data. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { API_EVENT_TYPES } from '../../src/events/event-stream-shapes';
import { call, eventsUrl } from './api';
import type { ApiEvent, NodeJson, Scalar } from './types';

/** Subscribes to the server-sent event stream while mounted. */
export function useEvents(params: Record<string, string>, onEvent: (event: ApiEvent) => void): boolean {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [connected, setConnected] = useState(false);
  const key = JSON.stringify(params);
  useEffect(() => {
    const source = new EventSource(eventsUrl(JSON.parse(key)));
    const listener = (e: MessageEvent) => handler.current(JSON.parse(e.data) as ApiEvent);
    for (const t of API_EVENT_TYPES) source.addEventListener(t, listener as EventListener);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, [key]);
  return connected;
}

/** The current location path, and a navigate function (History API; the server falls back to index.html). */
export function useLocationPath(): [string, (to: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    window.history.pushState(null, '', to);
    setPath(new URL(to, window.location.origin).pathname);
    window.scrollTo(0, 0);
  }, []);
  return [path, navigate];
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
  setData: (update: (previous: T | undefined) => T | undefined) => void;
}

export function useApi<T>(url: string | undefined): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger
  useEffect(() => {
    if (!url) return;
    let live = true;
    call<T>('GET', url).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [url, generation]);
  return { data, error, reload: () => setGeneration((g) => g + 1), setData };
}

/** Leaf values of a node at `path` (its own path), by path: "/3/0/0" -> value, "/3/0/11/0" -> value. */
export function flattenNode(path: string, node: NodeJson, out: Map<string, Scalar> = new Map()): Map<string, Scalar> {
  switch (node.kind) {
    case 'object':
      for (const i of node.instances ?? []) flattenNode(`${path}/${i.id}`, i, out);
      break;
    case 'object-instance':
      for (const r of node.resources ?? []) flattenNode(`${path}/${r.id}`, r, out);
      break;
    case 'resource':
      if (node.multiple) for (const [ri, v] of Object.entries(node.values ?? {})) out.set(`${path}/${ri}`, v);
      else if (node.value !== undefined) out.set(path, node.value);
      break;
    case 'resource-instance':
      if (node.value !== undefined) out.set(path, node.value);
      break;
  }
  return out;
}

export const ago = (iso: string | number): string => {
  const ms = Date.now() - (typeof iso === 'number' ? iso : Date.parse(iso));
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
};
