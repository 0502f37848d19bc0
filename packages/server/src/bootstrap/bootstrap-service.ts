/**
 * The bootstrap server core (protocol-free): answers Bootstrap-Request, then runs the
 * session — optional Bootstrap-Discover, Bootstrap-Delete, Bootstrap-Write of every configured
 * instance, optional Bootstrap-Read, Bootstrap-Finish — and reports each step as an event.
 */
import { ContentFormat } from '@lwm2m-ts/codec';
import { type LwM2mNode, LwM2mPath } from '@lwm2m-ts/objects';
import { type Clock, systemClock } from '../core/clock';
import { TypedEmitter } from '../core/event-emitter';
import type { ClientPeer } from '../core/peer';
import { ResponseCode } from '../core/response-code';
import type { Validated } from '../registration/registration-requests';
import type { DiscoveredLink } from '../request/discovered-link';
import type { BootstrapRequest } from '../request/downlink-requests';
import type { AnyResponse, BootstrapDiscoverResponse, BootstrapReadResponse } from '../request/downlink-responses';
import type { RegistrationAuthorizer } from '../security/registration-authorizer';
import type { DownlinkSender, DownlinkTarget } from '../server/downlink-sender';
import { type BootstrapConfigStore, InMemoryBootstrapConfigStore } from './bootstrap-config-store';
import { instancesToWrite } from './bootstrap-instances';

export interface BootstrapRequestParams {
  readonly endpoint: string;
  /** `pct`: the client's preferred content format (LwM2M 1.1+). */
  readonly preferredContentFormat?: number;
}

export interface BootstrapEvents {
  sessionStarted: { readonly endpoint: string; readonly peer: ClientPeer };
  requestCompleted: { readonly endpoint: string; readonly request: BootstrapRequest; readonly response: AnyResponse };
  sessionFinished: {
    readonly endpoint: string;
    readonly discovered?: readonly DiscoveredLink[];
    readonly read: ReadonlyMap<string, LwM2mNode>;
  };
  sessionFailed: {
    readonly endpoint: string;
    readonly reason: string;
    readonly request?: BootstrapRequest;
    readonly response?: AnyResponse;
    readonly error?: unknown;
  };
  error: { readonly error: unknown };
}

/** Parses the Bootstrap-Request query (`ep`, `pct`). */
export function parseBootstrapRequest(query: readonly string[]): Validated<BootstrapRequestParams> {
  let endpoint: string | undefined;
  let pct: number | undefined;
  for (const item of query) {
    const [key, value] = item.split('=', 2) as [string, string | undefined];
    if (key === 'ep') endpoint = value;
    else if (key === 'pct') {
      if (!value || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
        return {
          ok: false,
          code: ResponseCode.BAD_REQUEST,
          diagnostic: `pct "${value ?? ''}" is not a content format`,
        };
      }
      pct = Number(value);
    }
  }
  if (!endpoint) return { ok: false, code: ResponseCode.BAD_REQUEST, diagnostic: 'missing endpoint client name (ep)' };
  return { ok: true, value: { endpoint, ...(pct !== undefined ? { preferredContentFormat: pct } : {}) } };
}

export interface BootstrapServiceOptions {
  readonly sender: DownlinkSender;
  readonly configStore?: BootstrapConfigStore;
  /** Who may bootstrap as which endpoint (bootstrap credentials); absent: anyone with a config. */
  readonly authorizer?: RegistrationAuthorizer;
  readonly clock?: Clock;
  /** Content formats the sender can encode (to honour `pct`). */
  readonly supportsFormat?: (format: number) => boolean;
  readonly timeoutMs?: number;
}

class SessionFailure extends Error {
  constructor(
    readonly reason: string,
    readonly request?: BootstrapRequest,
    readonly response?: AnyResponse,
  ) {
    super(reason);
  }
}

export class BootstrapService {
  readonly events: TypedEmitter<BootstrapEvents>;
  readonly configs: BootstrapConfigStore;
  readonly #sender: DownlinkSender;
  readonly #authorizer: RegistrationAuthorizer | undefined;
  readonly #clock: Clock;
  readonly #supports: (format: number) => boolean;
  readonly #timeoutMs: number | undefined;
  /** endpoint -> session generation (a new Bootstrap-Request supersedes a running session). */
  readonly #sessions = new Map<string, number>();
  #generation = 0;

  constructor(options: BootstrapServiceOptions) {
    this.#sender = options.sender;
    this.configs = options.configStore ?? new InMemoryBootstrapConfigStore();
    this.#authorizer = options.authorizer;
    this.#clock = options.clock ?? systemClock;
    this.#supports = options.supportsFormat ?? (() => true);
    this.#timeoutMs = options.timeoutMs;
    let reporting = false;
    this.events = new TypedEmitter((error) => {
      if (reporting) return; // a throwing 'error' listener must not re-enter
      reporting = true;
      try {
        this.events.emit('error', { error });
      } finally {
        reporting = false;
      }
    });
  }

  /**
   * Answers a Bootstrap-Request. On 2.04 the session starts once the answer is out (next tick of
   * the clock); `session` resolves when it finished or failed.
   */
  async handleBootstrapRequest(
    params: BootstrapRequestParams,
    peer: ClientPeer,
  ): Promise<{ code: ResponseCode; diagnostic?: string; session?: Promise<boolean> }> {
    if (this.#authorizer) {
      const verdict = await this.#authorizer.authorizeRegistration(peer.identity, params.endpoint);
      if (!verdict.allowed) return { code: ResponseCode.FORBIDDEN, diagnostic: verdict.reason };
    }
    const config = await this.configs.get(params.endpoint);
    if (!config)
      return { code: ResponseCode.BAD_REQUEST, diagnostic: `no bootstrap configuration for "${params.endpoint}"` };
    const generation = ++this.#generation;
    this.#sessions.set(params.endpoint, generation);
    const session = new Promise<boolean>((resolve) => {
      this.#clock.setTimeout(() => {
        this.#run(params, peer, generation).then(resolve, (error) => {
          this.events.emit('error', { error });
          resolve(false);
        });
      }, 0);
    });
    return { code: ResponseCode.CHANGED, session };
  }

  async #run(params: BootstrapRequestParams, peer: ClientPeer, generation: number): Promise<boolean> {
    const { endpoint } = params;
    const config = await this.configs.get(endpoint);
    if (!config) return false;
    const target: DownlinkTarget = { endpoint, peer };
    const format =
      config.contentFormat ??
      (params.preferredContentFormat !== undefined && this.#supports(params.preferredContentFormat)
        ? params.preferredContentFormat
        : ContentFormat.LWM2M_TLV);
    this.events.emit('sessionStarted', { endpoint, peer });
    const step = async <R extends BootstrapRequest>(request: R): Promise<AnyResponse> => {
      if (this.#sessions.get(endpoint) !== generation)
        throw new SessionFailure('superseded by a new Bootstrap-Request');
      let response: AnyResponse;
      try {
        response = await this.#sender.send(
          target,
          request,
          this.#timeoutMs !== undefined ? { timeoutMs: this.#timeoutMs } : {},
        );
      } catch (error) {
        throw new SessionFailure(`${request.kind} failed: ${(error as Error).message}`, request);
      }
      this.events.emit('requestCompleted', { endpoint, request, response });
      if (!response.isSuccess()) {
        throw new SessionFailure(
          `${request.kind} answered ${response.code}${response.diagnostic ? ` (${response.diagnostic})` : ''}`,
          request,
          response,
        );
      }
      return response;
    };
    try {
      let discovered: readonly DiscoveredLink[] | undefined;
      if (config.discoverFirst) {
        discovered = ((await step({ kind: 'bootstrap-discover' })) as BootstrapDiscoverResponse).links;
      }
      for (const path of config.toDelete ?? ['/']) {
        const p = LwM2mPath.parse(path);
        await step(p.level === 'root' ? { kind: 'bootstrap-delete' } : { kind: 'bootstrap-delete', path: p });
      }
      for (const { path, instance } of instancesToWrite(config)) {
        await step({ kind: 'bootstrap-write', path, node: instance, format });
      }
      const read = new Map<string, LwM2mNode>();
      for (const path of config.readBeforeFinish ?? []) {
        const response = (await step({ kind: 'bootstrap-read', path: LwM2mPath.parse(path) })) as BootstrapReadResponse;
        if (response.content) read.set(path, response.content);
      }
      await step({ kind: 'bootstrap-finish' });
      this.events.emit('sessionFinished', { endpoint, read, ...(discovered ? { discovered } : {}) });
      return true;
    } catch (error) {
      if (!(error instanceof SessionFailure)) throw error;
      this.events.emit('sessionFailed', {
        endpoint,
        reason: error.reason,
        ...(error.request ? { request: error.request } : {}),
        ...(error.response ? { response: error.response } : {}),
      });
      return false;
    } finally {
      if (this.#sessions.get(endpoint) === generation) this.#sessions.delete(endpoint);
    }
  }
}
