/**
 * RFC 9176 over CoAP: mounts the registration interface, simple registration, the registration
 * resources and the (observable) lookup interfaces of a ResourceDirectory on an Endpoint.
 * /.well-known/core then lists them with rt=core.rd, core.rd-lookup-ep, core.rd-lookup-res, ct=40.
 */
import { CoapError, type CoapRequest, type Endpoint, type Peer } from '@lwm2m-ts/coap';
import {
  CoapCode,
  ContentFormat,
  createOption,
  type Link,
  OptionNumber,
  parseLinkFormat,
  serializeLinkFormat,
} from '@lwm2m-ts/codec';
import { parseRegistrationParameters } from './parameters';
import { type Criterion, type LookupQuery, parseLookupQuery } from './query';
import type { Registration } from './registration';
import type { RequestSource, ResourceDirectory } from './resource-directory';

export interface RdCoapOptions {
  /** Largest link-format body accepted (bytes); larger is 4.13 with Size1. Default 64 KiB. */
  readonly maxPayloadBytes?: number;
  /** Simple registration: how long to wait for the endpoint's /.well-known/core (ms). Default 30 s. */
  readonly simpleRegistrationTimeoutMs?: number;
  /** Coalesce lookup notifications over this window (ms). Default 20. */
  readonly notifyDelayMs?: number;
}

export interface RdCoapInterface {
  /** Removes the routes and stops notifications. */
  detach(): void;
}

type LookupKind = 'ep' | 'res';
const MAX_TRACKED_QUERIES = 1000;

/** The implicit base: the request's source transport address as a URI. */
export function sourceBaseOf(scheme: string, peer: Peer): string {
  let host = peer.address;
  if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice(7);
  if (host.includes(':')) host = `[${host}]`;
  return `${scheme}://${host}:${peer.port}`;
}

export function serveResourceDirectory(
  rd: ResourceDirectory,
  endpoint: Endpoint,
  options: RdCoapOptions = {},
): RdCoapInterface {
  const maxPayload = options.maxPayloadBytes ?? 64 * 1024;
  const simpleTimeout = options.simpleRegistrationTimeoutMs ?? 30_000;
  const notifyDelay = options.notifyDelayMs ?? 20;
  const regPath = `/${rd.registrationPath}`;
  const paths: Record<LookupKind, string> = { ep: `/${rd.lookupPath}/ep`, res: `/${rd.lookupPath}/res` };
  const clock = rd.clock;
  const source = (req: CoapRequest): RequestSource => ({
    peer: req.peer,
    sourceBase: sourceBaseOf(endpoint.transport.scheme, req.peer),
  });

  const linksOf = (req: CoapRequest): Link[] => {
    if (req.payload.length > maxPayload)
      throw new CoapError(CoapCode.REQUEST_ENTITY_TOO_LARGE, `link-format body over ${maxPayload} bytes`, {
        options: [createOption(OptionNumber.SIZE1, maxPayload)],
      });
    if (req.payload.length === 0) return [];
    if (req.contentFormat !== undefined && req.contentFormat !== ContentFormat.LINK_FORMAT)
      throw CoapError.unsupportedContentFormat('registrations take application/link-format (40)');
    return parseLinkFormat(req.payload);
  };
  const params = (req: CoapRequest) => parseRegistrationParameters(req.query, rd.lifetimeLimits);
  const linkFormat = (links: readonly Link[]) => ({
    payload: serializeLinkFormat(links),
    contentFormat: ContentFormat.LINK_FORMAT,
  });
  const checkAccept = (req: CoapRequest) => {
    if (req.accept !== undefined && req.accept !== ContentFormat.LINK_FORMAT)
      throw CoapError.notAcceptable('the RD answers in application/link-format (40) only');
  };

  // ---- lookup observers: notify only when a change can touch an observed query ------------
  // Queries are remembered when an observation is registered (and each time it is rendered),
  // and forgotten when a notification round no longer renders them. Past MAX_TRACKED_QUERIES distinct
  // queries, every change notifies.
  const observed: Record<LookupKind, Map<string, { criteria: readonly Criterion[]; always: boolean }>> = {
    ep: new Map(),
    res: new Map(),
  };
  const overflow: Record<LookupKind, boolean> = { ep: false, res: false };
  const dirty = new Set<LookupKind>();
  let flushTimer: unknown;
  // While notify() renders every observer of a path (synchronously), the queries seen.
  let rendering: { kind: LookupKind; keys: Set<string> } | undefined;
  const track = (kind: LookupKind, req: CoapRequest, q: LookupQuery) => {
    if (req.observe !== 0) return;
    const m = observed[kind];
    const key = req.query.join('&');
    if (rendering?.kind === kind) rendering.keys.add(key);
    if (m.has(key)) return;
    if (m.size >= MAX_TRACKED_QUERIES) overflow[kind] = true;
    else m.set(key, { criteria: q.criteria, always: q.count !== undefined });
  };
  const relevant = (kind: LookupKind, regs: readonly Registration[]) => {
    if (overflow[kind]) return true;
    for (const o of observed[kind].values()) {
      if (o.always || regs.some((r) => rd.affects(r, o.criteria))) return true;
    }
    return false;
  };
  const flush = () => {
    flushTimer = undefined;
    for (const kind of dirty) {
      rendering = { kind, keys: new Set() };
      const observers = endpoint.notify(paths[kind]);
      const seen = rendering.keys;
      rendering = undefined;
      if (observers === 0) {
        observed[kind].clear();
        overflow[kind] = false;
      } else {
        // Queries no observer rendered are gone (one with a CON in flight renders, and so
        // registers its query again, once that CON is acknowledged).
        for (const key of observed[kind].keys()) if (!seen.has(key)) observed[kind].delete(key);
      }
    }
    dirty.clear();
  };
  const unsubscribe = rd.onChange((e) => {
    const regs = e.type === 'updated' && e.previous ? [e.registration, e.previous] : [e.registration];
    for (const kind of ['ep', 'res'] as const) if (relevant(kind, regs)) dirty.add(kind);
    if (dirty.size > 0 && flushTimer === undefined) flushTimer = clock.setTimeout(flush, notifyDelay);
  });

  // ---- routes ------------------------------------------------------------------------------
  const router = endpoint.router;
  router.add(regPath, {
    rt: 'core.rd',
    ct: ContentFormat.LINK_FORMAT,
    post: async (req) => {
      const p = params(req);
      const reg = await rd.register(p, linksOf(req), source(req));
      return { code: CoapCode.CREATED, locationPath: reg.location };
    },
  });
  router.add(`${regPath}/:id`, {
    get: async (req) => {
      checkAccept(req);
      return linkFormat((await rd.read(req.params.id ?? '', source(req))).links);
    },
    post: async (req) => {
      const p = params(req);
      const links = req.payload.length > 0 ? linksOf(req) : undefined;
      await rd.update(req.params.id ?? '', p, links, source(req));
      return { code: CoapCode.CHANGED };
    },
    delete: async (req) => {
      await rd.remove(req.params.id ?? '', source(req));
      return { code: CoapCode.DELETED };
    },
  });
  // RFC 9176 §5.1 simple registration: the RD fetches the links itself, then answers 2.04.
  router.add('/.well-known/rd', {
    hidden: true,
    post: async (req) => {
      if (req.payload.length > 0) throw CoapError.badRequest('simple registration has no payload');
      const p = params(req);
      if (p.base !== undefined) throw CoapError.badRequest('simple registration takes no base');
      rd.endpointName(p, req.peer); // 4.00 before fetching anything

      let res: Awaited<ReturnType<Endpoint['request']>>;
      try {
        res = await endpoint.request({
          method: 'GET',
          peer: req.peer,
          path: '/.well-known/core',
          accept: ContentFormat.LINK_FORMAT,
          timeoutMs: simpleTimeout,
        });
      } catch (e) {
        throw new CoapError(CoapCode.GATEWAY_TIMEOUT, `could not fetch /.well-known/core: ${(e as Error).message}`);
      }
      if (res.code !== CoapCode.CONTENT)
        throw new CoapError(CoapCode.BAD_GATEWAY, `/.well-known/core answered ${res.codeText}`);
      let links: Link[];
      try {
        links = res.payload.length > maxPayload ? [] : parseLinkFormat(res.payload);
      } catch (e) {
        throw new CoapError(CoapCode.BAD_GATEWAY, `/.well-known/core is not link-format: ${(e as Error).message}`);
      }
      await rd.register(p, links, source(req));
      return { code: CoapCode.CHANGED };
    },
  });
  for (const kind of ['ep', 'res'] as const) {
    router.add(paths[kind], {
      rt: kind === 'ep' ? 'core.rd-lookup-ep' : 'core.rd-lookup-res',
      ct: ContentFormat.LINK_FORMAT,
      observable: true,
      get: async (req) => {
        checkAccept(req);
        const q = parseLookupQuery(req.query);
        track(kind, req, q);
        const links =
          kind === 'ep' ? await rd.lookupEndpoints(q, source(req)) : await rd.lookupResources(q, source(req));
        return linkFormat(links);
      },
    });
  }

  return {
    detach() {
      unsubscribe();
      if (flushTimer !== undefined) clock.clearTimeout(flushTimer);
      router.remove(regPath);
      router.remove(`${regPath}/:id`);
      router.remove('/.well-known/rd');
      router.remove(paths.ep);
      router.remove(paths.res);
    },
  };
}
