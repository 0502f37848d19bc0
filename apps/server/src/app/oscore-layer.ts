/**
 * OSCORE (RFC 8613) for the app's UDP LwM2M and bootstrap servers, with the contexts taken from
 * the SecurityStore: a request carrying the OSCORE option is verified with the context of the
 * security info whose OSCORE recipient id is its 'kid' (and whose ID context is its 'kid
 * context'), the handler sees `peer.identity = { kind: 'oscore', recipientId, idContext }` (so the
 * registration authorizer admits only the endpoint those credentials belong to), the responses
 * and notifications are protected, and so are downlink requests to a peer with an OSCORE identity.
 * Requests without the option pass unprotected (the same port serves NoSec devices).
 *
 * Contexts are derived once per endpoint and kept (they hold the replay window and the Sender
 * Sequence Number); a change made through the app's store drops the endpoint's context when its
 * OSCORE credentials changed. A 'kid' not in the synchronous index is looked up in the store
 * (credentials added by another instance sharing it), and a context that fails to verify is
 * re-read once: both at most once per `refreshIntervalMs` per 'kid'.
 *
 * Sequence numbers (Appendix B.1.1) persist through `sequenceStore`, every K-th number; the app
 * uses an in-memory store, so they survive a context being re-derived but not a process restart.
 * A re-derived context whose number was stored asks the device for Echo (Appendix B.1.2) before
 * trusting its Partial IVs again.
 */
import { createHash } from 'node:crypto';
import type { LayerContext, LayerOutcome, MessageLayer, Peer } from '@lwm2m-ts/coap';
import type { CoapMessage } from '@lwm2m-ts/codec';
import {
  bytesToHex,
  createOscoreLayer,
  decodeOscoreOption,
  getOscoreOption,
  MemorySequenceNumberStore,
  type OscoreError,
  SecurityContext,
  SecurityContextRegistry,
  type SequenceNumberStore,
} from '@lwm2m-ts/oscore';
import type { OscoreSecurity, SecurityInfo, SecurityStore } from '@lwm2m-ts/server';

/** The store side the layer reads: the async lookup, and a synchronous index when there is one. */
export interface OscoreCredentialSource extends Pick<SecurityStore, 'getByOscoreRecipientId'> {
  /** Infos holding this recipient id, known without I/O (the app's IndexedSecurityStore). */
  oscoreInfos?(recipientId: Uint8Array): readonly SecurityInfo[];
  /** Announces changes made through the store (`info` undefined: removed). */
  onChange?(listener: (endpoint: string, info: SecurityInfo | undefined) => void): () => void;
}

export interface StoreOscoreLayerOptions {
  readonly store: OscoreCredentialSource;
  /** Appendix B.1.1 persistence of our Sender Sequence Numbers (default: in memory). */
  readonly sequenceStore?: SequenceNumberStore;
  /** K: save every K-th sequence number (default 100). */
  readonly sequenceInterval?: number;
  /** Least time between two store look-ups for one 'kid' that found nothing new (default 1000 ms). */
  readonly refreshIntervalMs?: number;
  readonly now?: () => number;
  /** Every refused message (logging). */
  readonly onFailure?: (error: OscoreError, peer: Peer, role: 'client' | 'server') => void;
}

export interface StoreOscoreLayer extends MessageLayer {
  /** The contexts derived so far (tests, diagnostics). */
  readonly contexts: SecurityContextRegistry;
  /** Stops following the store's changes. */
  close(): void;
}

const EMPTY = new Uint8Array(0);
const MAX_REMEMBERED_MISSES = 4096;

const bytesEqual = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  bytesToHex(a ?? EMPTY) === bytesToHex(b ?? EMPTY);

/** Same credentials: the context (its keys, window and sequence) stays valid. */
export function sameOscoreCredentials(a: OscoreSecurity, b: OscoreSecurity): boolean {
  return (
    bytesEqual(a.recipientId, b.recipientId) &&
    bytesEqual(a.senderId, b.senderId) &&
    bytesEqual(a.masterSecret, b.masterSecret) &&
    bytesEqual(a.masterSalt, b.masterSalt) &&
    bytesEqual(a.idContext, b.idContext) &&
    (a.aeadAlgorithm ?? 10) === (b.aeadAlgorithm ?? 10)
  );
}

/** Store key of the sequence number: per endpoint and per credentials (new keys start at 0). */
function sequenceKey(endpoint: string, o: OscoreSecurity): string {
  const h = createHash('sha256');
  for (const part of [o.masterSecret, o.masterSalt ?? EMPTY, o.idContext ?? EMPTY, o.senderId, o.recipientId]) {
    h.update(Uint8Array.of(part.length));
    h.update(part);
  }
  return `oscore:${endpoint}:${h.digest('hex').slice(0, 16)}`;
}

export function createStoreOscoreLayer(options: StoreOscoreLayerOptions): StoreOscoreLayer {
  const { store } = options;
  const sequenceStore = options.sequenceStore ?? new MemorySequenceNumberStore();
  const refreshIntervalMs = options.refreshIntervalMs ?? 1_000;
  const now = options.now ?? Date.now;
  const registry = new SecurityContextRegistry();
  const byEndpoint = new Map<string, { readonly oscore: OscoreSecurity; readonly context: SecurityContext }>();
  /** kid hex -> time of the last store look-up that changed nothing. */
  const lookedUp = new Map<string, number>();

  const drop = (endpoint: string): void => {
    const held = byEndpoint.get(endpoint);
    if (!held) return;
    registry.remove(held.context);
    byEndpoint.delete(endpoint);
  };

  /** Derives (or keeps) the endpoint's context; true when a new one was installed. */
  const install = (info: SecurityInfo): boolean => {
    const oscore = info.oscore;
    if (!oscore) return false;
    const held = byEndpoint.get(info.endpoint);
    if (held && sameOscoreCredentials(held.oscore, oscore)) return false;
    drop(info.endpoint);
    const context = new SecurityContext({
      masterSecret: oscore.masterSecret,
      senderId: oscore.senderId,
      recipientId: oscore.recipientId,
      ...(oscore.masterSalt ? { masterSalt: oscore.masterSalt } : {}),
      ...(oscore.idContext && oscore.idContext.length > 0 ? { idContext: oscore.idContext } : {}),
      ...(oscore.aeadAlgorithm !== undefined ? { aeadAlgorithm: oscore.aeadAlgorithm } : {}),
      sequenceStore,
      sequenceStoreKey: sequenceKey(info.endpoint, oscore),
      ...(options.sequenceInterval !== undefined ? { sequenceInterval: options.sequenceInterval } : {}),
    });
    registry.add(context);
    byEndpoint.set(info.endpoint, { oscore, context });
    return true;
  };

  const unsubscribe = store.onChange?.((endpoint, info) => {
    const held = byEndpoint.get(endpoint);
    if (held && !(info?.oscore && sameOscoreCredentials(held.oscore, info.oscore))) drop(endpoint);
    lookedUp.clear();
  });

  /** Installs what the synchronous index knows for `kid`; true when something new was installed. */
  const fromIndex = (kid: Uint8Array): boolean => {
    let installed = false;
    for (const info of store.oscoreInfos?.(kid) ?? []) {
      try {
        installed = install(info) || installed;
      } catch {
        // Unusable credentials (e.g. an id too long for the nonce): that endpoint cannot verify.
      }
    }
    return installed;
  };

  /** Reads the store for `kid` (rate-limited per kid); true when a context was (re)installed. */
  const refresh = async (kid: Uint8Array): Promise<boolean> => {
    if (fromIndex(kid)) return true;
    const key = bytesToHex(kid);
    const last = lookedUp.get(key);
    if (last !== undefined && now() - last < refreshIntervalMs) return false;
    if (lookedUp.size >= MAX_REMEMBERED_MISSES) lookedUp.clear();
    lookedUp.set(key, now());
    const info = await store.getByOscoreRecipientId(kid).catch(() => undefined);
    if (!info) return false;
    try {
      return install(info);
    } catch {
      return false;
    }
  };

  const contextFor = (peer: Peer): SecurityContext | undefined => {
    const id = peer.identity;
    if (id?.kind !== 'oscore') return undefined;
    // Exactly this identity's context: another endpoint may share the recipient id (other ID context).
    return registry.resolve(id.recipientId, id.idContext).find((c) => bytesEqual(c.idContext, id.idContext));
  };

  let lastFailure: OscoreError | undefined;
  const inner = createOscoreLayer({
    contexts: registry,
    requireOscore: false,
    clientContext: contextFor,
    onFailure: (error, peer, role) => {
      lastFailure = error;
      options.onFailure?.(error, peer, role);
    },
  });

  const verify = (message: CoapMessage, ctx: LayerContext): LayerOutcome => {
    lastFailure = undefined;
    return inner.receiveRequest!(message, ctx) as LayerOutcome;
  };

  /**
   * A context that does not verify may be stale (credentials changed through another instance
   * sharing the store): the store is re-read once and the request verified again. Failures
   * change no context state, so the second attempt sees the request as new.
   */
  const verifyOrRefresh = (
    message: CoapMessage,
    ctx: LayerContext,
    kid: Uint8Array,
  ): LayerOutcome | Promise<LayerOutcome> => {
    const outcome = verify(message, ctx);
    const kind = lastFailure?.kind;
    // 'replay' too: new keys usually come with sequence numbers that start again (the old window
    // refuses them before decrypting); unchanged credentials keep the verdict.
    if (kind !== 'decryption-failed' && kind !== 'context-not-found' && kind !== 'replay') return outcome;
    return refresh(kid).then((changed) => (changed ? verify(message, ctx) : outcome));
  };

  return {
    name: 'oscore',
    contexts: registry,
    close: () => unsubscribe?.(),

    // Synchronous while the context is known and verifies (every request but a device's first).
    receiveRequest(message: CoapMessage, ctx: LayerContext): LayerOutcome | Promise<LayerOutcome> {
      let kid: Uint8Array | undefined;
      let kidContext: Uint8Array | undefined;
      try {
        const value = getOscoreOption(message);
        if (value === undefined) return message; // not OSCORE: NoSec on the same port
        ({ kid, kidContext } = decodeOscoreOption(value));
      } catch {
        return verify(message, ctx); // the OSCORE layer answers the malformed option (4.02)
      }
      if (!kid) return verify(message, ctx);
      const known = kid;
      if (registry.resolve(known, kidContext).length === 0) {
        return refresh(known).then(() => verifyOrRefresh(message, ctx, known));
      }
      return verifyOrRefresh(message, ctx, known);
    },

    sendRequest(message: CoapMessage, ctx: LayerContext): CoapMessage | Promise<CoapMessage> {
      const id = ctx.peer.identity;
      if (id?.kind !== 'oscore' || contextFor(ctx.peer)) return inner.sendRequest!(message, ctx);
      return refresh(id.recipientId).then(() => {
        // Never fall back to plaintext towards a device that registered over OSCORE.
        if (!contextFor(ctx.peer)) {
          throw new Error(`no OSCORE context for recipient id ${bytesToHex(id.recipientId)}: its credentials are gone`);
        }
        return inner.sendRequest!(message, ctx);
      });
    },

    sendResponse: (message, ctx) => inner.sendResponse!(message, ctx),
    receiveResponse: (message, ctx) => inner.receiveResponse!(message, ctx),
  };
}
