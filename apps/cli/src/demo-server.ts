/**
 * `coap serve`: a demo server on UDP (plus DTLS, TCP, TLS and WebSocket listeners when asked) with the resources interop peers exercise:
 * /time (observable, changes every tick), /large (Block2), /upload (Block1), /store (JSON with
 * FETCH and iPATCH/PATCH, RFC 8132), and the generated /.well-known/core.
 */

import { CoapError, Endpoint, Router, type Transport } from '@lwm2m-ts/coap';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createOscoreLayer } from '@lwm2m-ts/oscore';
import { createUdpTransport, type UdpTransport, UdpTransportError } from '@lwm2m-ts/transport-udp';
import type { Credentials } from './credentials';
import { checkListenerCredentials, type ListenerPorts, openListeners } from './demo-listeners';

export interface DemoServerOptions extends ListenerPorts {
  readonly host?: string;
  /** UDP port (default 5683). */
  readonly port?: number;
  /** For the DTLS/TLS listeners, and `oscore`: the OSCORE layer on the UDP endpoint (OSCORE required there). */
  readonly credentials?: Credentials;
  /** Interval between /time changes (and notifications); default 1000 ms. */
  readonly tickMs?: number;
  /** Wraps the transport (e.g. `-v` tracing). */
  readonly wrapTransport?: (t: Transport) => Transport;
  readonly now?: () => Date;
  readonly onError?: (error: unknown, where: string) => void;
}

export interface DemoServer {
  /** The UDP endpoint. */
  readonly endpoint: Endpoint;
  /** Every endpoint (UDP first), all serving the same resources. */
  readonly endpoints: readonly Endpoint[];
  /** The UDP address. */
  readonly address: { address: string; port: number };
  /** URL of every listener, UDP first (`coap://127.0.0.1:5683`, `coap+tcp://127.0.0.1:5683`, ...). */
  readonly urls: readonly string[];
  close(): Promise<void>;
}

/** /large: 5,000 bytes of numbered lines, so any Block2 size needs several blocks. */
export const LARGE_BODY: string = (() => {
  let s = '';
  for (let i = 0; s.length < 5000; i++)
    s += `line ${String(i).padStart(4, '0')}: the quick brown fox jumps over the lazy dog\n`;
  return s.slice(0, 5000);
})();

export function demoRouter(options: {
  now: () => Date;
  upload: { bytes: Uint8Array; contentFormat: number | undefined };
}): Router {
  const store: Record<string, unknown> = { temperature: 21.5, unit: 'Cel', name: 'demo' };
  const upload = options.upload;
  const receive = (req: { payload: Uint8Array; contentFormat: number | undefined }) => {
    upload.bytes = req.payload;
    upload.contentFormat = req.contentFormat;
    return { payload: `received ${req.payload.length} bytes`, contentFormat: ContentFormat.TEXT_PLAIN };
  };
  const jsonBody = (payload: Uint8Array): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw CoapError.badRequest('expected a JSON object');
  };
  return new Router()
    .add('/time', {
      get: () => ({ payload: options.now().toISOString(), contentFormat: ContentFormat.TEXT_PLAIN, maxAge: 1 }),
      observable: true,
      rt: 'ticks',
      if: 'clock',
      ct: ContentFormat.TEXT_PLAIN,
      title: 'Current time (observable)',
    })
    .add('/large', {
      get: () => ({ payload: LARGE_BODY, contentFormat: ContentFormat.TEXT_PLAIN }),
      rt: 'block',
      ct: ContentFormat.TEXT_PLAIN,
      sz: LARGE_BODY.length,
      title: 'Large resource (Block2)',
    })
    .add('/upload', {
      put: receive,
      post: receive,
      get: () => ({
        payload: upload.bytes,
        ...(upload.contentFormat !== undefined ? { contentFormat: upload.contentFormat } : {}),
      }),
      rt: 'upload',
      title: 'PUT/POST anything (Block1); answers with the byte count; GET returns it',
    })
    .add('/store', {
      get: () => ({ payload: JSON.stringify(store), contentFormat: ContentFormat.JSON }),
      // FETCH body: key names, one per line or comma-separated; answers those members only.
      fetch: (req) => {
        const keys = new TextDecoder()
          .decode(req.payload)
          .split(/[\s,]+/)
          .filter(Boolean);
        if (keys.length === 0) throw CoapError.badRequest('FETCH body: key names, comma-separated');
        const picked = Object.fromEntries(keys.filter((k) => k in store).map((k) => [k, store[k]]));
        return { payload: JSON.stringify(picked), contentFormat: ContentFormat.JSON };
      },
      // iPATCH/PATCH body: a JSON merge patch (RFC 7396); iPATCH must be idempotent, and merge patches are.
      ipatch: (req) => mergePatch(store, jsonBody(req.payload)),
      patch: (req) => mergePatch(store, jsonBody(req.payload)),
      rt: 'store',
      ct: ContentFormat.JSON,
      title: 'JSON object: GET, FETCH (keys), iPATCH/PATCH (merge patch)',
    });
}

function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>) {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else target[k] = v;
  }
  return {};
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const now = options.now ?? (() => new Date());
  const credentials = options.credentials ?? {};
  checkListenerCredentials(options, credentials);
  const udp = await bindDemoTransport(options.host, options.port ?? 5683);
  const address = udp.localAddress() ?? { address: options.host ?? '::', port: options.port ?? 5683 };
  let others: Awaited<ReturnType<typeof openListeners>>;
  try {
    others = await openListeners(address.address, options, credentials);
  } catch (err) {
    await udp.close();
    throw err;
  }
  const wrap = (t: Transport) => (options.wrapTransport ? options.wrapTransport(t) : t);
  // One router for every transport: an upload over TCP reads back over UDP.
  const router = demoRouter({ now, upload: { bytes: new Uint8Array(0), contentFormat: undefined } });
  const onError = options.onError ? { onError: options.onError } : {};
  const udpLayers = credentials.oscore ? [createOscoreLayer({ contexts: credentials.oscore })] : [];
  const endpoint = new Endpoint({ transport: wrap(udp), router, layers: udpLayers, ...onError });
  const endpoints = [
    endpoint,
    ...others.map((l) => new Endpoint({ transport: wrap(l.transport), router, ...onError })),
  ];
  const timer = setInterval(() => {
    for (const e of endpoints) e.notify('/time');
  }, options.tickMs ?? 1000);
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    endpoints,
    address,
    urls: [`coap://${host}:${address.port}`, ...others.map((l) => l.url)],
    close() {
      clearInterval(timer);
      closing ??= Promise.all(endpoints.map((e) => e.close())).then(() => {});
      return closing;
    },
  };
}

/** Default host: all interfaces, dual-stack (`::`), or IPv4 only where IPv6 is disabled. */
async function bindDemoTransport(host: string | undefined, port: number): Promise<UdpTransport> {
  if (host !== undefined) return createUdpTransport({ host, port });
  try {
    return await createUdpTransport({ host: '::', port });
  } catch (err) {
    if (UdpTransportError.isInstance(err) && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL'))
      return createUdpTransport({ host: '0.0.0.0', port });
    throw err;
  }
}
