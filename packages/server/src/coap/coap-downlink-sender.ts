/**
 * The CoAP side of downlink traffic: sends typed requests through an `Endpoint`, decodes the
 * answers, and relays observe notifications into the server's `ObservationService`.
 */
import {
  type Observation as CoapObservation,
  CoapResetError,
  type CoapResponse,
  CoapTimeoutError,
  type Endpoint,
} from '@lwm2m-ts/coap';
import { getObserve } from '@lwm2m-ts/codec';
import type { ModelRegistry } from '@lwm2m-ts/objects';
import type { Clock } from '../core/clock';
import { RequestTimeoutError } from '../core/errors/request-timeout-error';
import type { IdGenerator } from '../core/id-generator';
import { ResponseCode, responseCodeFromByte } from '../core/response-code';
import type { ObservationInfo } from '../observation/observation';
import type { ObservationService } from '../observation/observation-service';
import { observeRequestOf } from '../observation/observe-request-of';
import { registrationLinks } from '../registration/object-links';
import type { DownlinkRequest, ObserveCompositeRequest, ObserveRequest } from '../request/downlink-requests';
import {
  type AnyResponse,
  CancelObservationResponse,
  ObserveCompositeResponse,
  ObserveResponse,
  type ResponseByKind,
} from '../request/downlink-responses';
import type { DownlinkSender, DownlinkTarget, SendOptions } from '../server/downlink-sender';
import { type ContentCodecs, chooseWriteFormat, modelLookupFor } from './content-codecs';
import { type CoapRequestSpec, encodeRequest } from './request-encoder';
import { type DecodeContext, decodeComposite, decodeNode, decodeResponse, failureFor } from './response-decoder';

export interface CoapDownlinkSenderOptions {
  readonly endpoint: Endpoint;
  readonly codecs: ContentCodecs;
  readonly models?: ModelRegistry;
  readonly clock: Clock;
  readonly generateId: IdGenerator;
  /** Default response timeout (ms); default the endpoint's (EXCHANGE_LIFETIME). */
  readonly timeoutMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Records each observation's current CoAP token (a shared store's token index, for cluster failover). */
  readonly bindToken?: (observationId: string, token: Uint8Array) => Promise<unknown>;
}

interface LiveObservation {
  info: ObservationInfo;
  request: ObserveRequest | ObserveCompositeRequest;
  target: DownlinkTarget;
  coap: CoapObservation;
  /** The token last recorded with `bindToken`. */
  token?: Uint8Array;
}

type ObserveKind = ObserveRequest | ObserveCompositeRequest;

export class CoapDownlinkSender implements DownlinkSender {
  readonly #live = new Map<string, LiveObservation>();
  #observations: ObservationService | undefined;

  constructor(private readonly options: CoapDownlinkSenderOptions) {}

  /** Where notifications go (set once the server exists). */
  attach(observations: ObservationService): void {
    this.#observations = observations;
  }

  async send<R extends DownlinkRequest>(
    target: DownlinkTarget,
    request: R,
    options: SendOptions,
  ): Promise<ResponseByKind[R['kind']]> {
    const ctx = this.#context(target);
    if (request.kind === 'cancel-observation') {
      return (await this.#cancelActive(request.observation.id)) as ResponseByKind[R['kind']];
    }
    if (request.kind === 'observe' || request.kind === 'observe-composite') {
      return (await this.#observe(target, request as ObserveKind, options, ctx)) as ResponseByKind[R['kind']];
    }
    const spec = encodeRequest(request, ctx);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    try {
      const response = await this.options.endpoint.request({
        peer: target.peer,
        ...requestFields(spec),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
      return decodeResponse(request, response, ctx) as ResponseByKind[R['kind']];
    } catch (error) {
      return this.#failure(error, target, request, timeoutMs) as ResponseByKind[R['kind']];
    }
  }

  forgetObservation(observationId: string): void {
    const live = this.#live.get(observationId);
    if (!live) return;
    this.#live.delete(observationId);
    void live.coap.cancel({ proactive: false });
  }

  /**
   * The client moved (Update from a new address): observe again at the new address under the
   * same observation ids, so handles and event listeners carry on.
   */
  async rebind(registrationId: string, target: DownlinkTarget): Promise<void> {
    for (const live of [...this.#live.values()]) {
      if (live.info.registrationId !== registrationId) continue;
      void live.coap.cancel({ proactive: false });
      live.target = target;
      const ctx = this.#context(target);
      const coap = this.#startCoapObservation(target, live.request, ctx, {});
      live.coap = coap;
      this.#pump(live, coap, ctx);
    }
  }

  /**
   * Observes again, under its stored id, an observation this sender holds no CoAP observation
   * for (another node established it and died): the first answer is relayed as a notification.
   * False when it is live here already.
   */
  resume(info: ObservationInfo, target: DownlinkTarget): boolean {
    if (this.#live.has(info.id)) return false;
    const request = observeRequestOf(info);
    const ctx = this.#context(target);
    const coap = this.#startCoapObservation(target, request, ctx, {});
    const live: LiveObservation = { info, request, target, coap };
    this.#live.set(info.id, live);
    this.#pump(live, coap, ctx);
    return true;
  }

  /**
   * Takes over the CoAP observation behind a notification that carries `token`, an observation
   * another node made (found in the shared store by its token): later notifications with that
   * token arrive here. False when the observation is live here already (under another token).
   */
  adopt(info: ObservationInfo, target: DownlinkTarget, token: Uint8Array): boolean {
    if (this.#live.has(info.id)) return false;
    const request = observeRequestOf(info);
    const ctx = this.#context(target);
    const coap = this.#startCoapObservation(target, request, ctx, {}, token);
    const live: LiveObservation = { info, request, target, coap, token };
    this.#live.set(info.id, live);
    this.#pump(live, coap, ctx);
    return true;
  }

  /** Drops every CoAP observation of a registration (it ended). */
  forgetRegistration(registrationId: string): void {
    for (const [id, live] of this.#live) if (live.info.registrationId === registrationId) this.forgetObservation(id);
  }

  close(): void {
    for (const id of [...this.#live.keys()]) this.forgetObservation(id);
  }

  #context(target: DownlinkTarget): DecodeContext & Parameters<typeof encodeRequest>[1] {
    let rootSegments: string[] = [];
    if (target.objectLinks) {
      try {
        rootSegments = registrationLinks(target as { objectLinks: string })
          .rootPath.split('/')
          .filter(Boolean);
      } catch {
        rootSegments = [];
      }
    }
    const lookup = modelLookupFor(this.options.models, target);
    return {
      rootSegments,
      codecs: this.options.codecs,
      defaultFormat: (composite: boolean) => chooseWriteFormat(target, this.options.codecs, composite),
      ...(lookup ? { lookup } : {}),
    };
  }

  #failure(
    error: unknown,
    target: DownlinkTarget,
    request: DownlinkRequest,
    timeoutMs: number | undefined,
  ): AnyResponse {
    if (CoapTimeoutError.isInstance(error)) {
      throw new RequestTimeoutError(
        target.endpoint,
        request.kind,
        timeoutMs ?? this.options.endpoint.times.exchangeLifetimeMs,
        {
          cause: error,
        },
      );
    }
    if (CoapResetError.isInstance(error))
      return failureFor(request.kind, ResponseCode.SERVICE_UNAVAILABLE, 'client answered with RST');
    throw error;
  }

  #startCoapObservation(
    target: DownlinkTarget,
    request: ObserveKind,
    ctx: DecodeContext & Parameters<typeof encodeRequest>[1],
    options: SendOptions,
    adoptToken?: Uint8Array,
  ) {
    const spec = encodeRequest(request, ctx);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const observe = adoptToken
      ? (o: Parameters<Endpoint['observe']>[0] & { peer: DownlinkTarget['peer'] }) =>
          this.options.endpoint.adoptObservation({ ...o, token: adoptToken })
      : (o: Parameters<Endpoint['observe']>[0] & { peer: DownlinkTarget['peer'] }) => this.options.endpoint.observe(o);
    return observe({
      peer: target.peer,
      path: spec.path,
      method: spec.method === 'FETCH' ? 'FETCH' : 'GET',
      ...(spec.payload ? { payload: spec.payload } : {}),
      ...(spec.contentFormat !== undefined ? { contentFormat: spec.contentFormat } : {}),
      ...(spec.accept !== undefined ? { accept: spec.accept } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }

  async #observe(
    target: DownlinkTarget,
    request: ObserveKind,
    options: SendOptions,
    ctx: DecodeContext & Parameters<typeof encodeRequest>[1],
  ): Promise<ObserveResponse | ObserveCompositeResponse> {
    const coap = this.#startCoapObservation(target, request, ctx, options);
    let first: IteratorResult<CoapResponse>;
    try {
      first = await coap[Symbol.asyncIterator]().next();
    } catch (error) {
      return this.#failure(error, target, request, options.timeoutMs ?? this.options.timeoutMs) as ObserveResponse;
    }
    if (first.done)
      return failureFor(
        request.kind,
        ResponseCode.INTERNAL_SERVER_ERROR,
        'observation ended at once',
      ) as ObserveResponse;
    const response = first.value;
    const code = responseCodeFromByte(response.code);
    if (!code.startsWith('2.')) return failureFor(request.kind, code, text(response.payload)) as ObserveResponse;
    const decoded = decodeResponse(
      request.kind === 'observe' ? { ...request, kind: 'read' } : { ...request, kind: 'read-composite' },
      response,
      ctx,
    );
    if (!decoded.isSuccess()) {
      void coap.cancel({ proactive: false });
      return failureFor(request.kind, decoded.code, decoded.diagnostic) as ObserveResponse;
    }
    const accepted = getObserve(response.message) !== undefined && target.registrationId !== undefined;
    const info: ObservationInfo | undefined = accepted
      ? {
          id: this.options.generateId(),
          registrationId: target.registrationId!,
          endpoint: target.endpoint,
          kind: request.kind === 'observe' ? 'single' : 'composite',
          paths: request.kind === 'observe' ? [request.path.toString()] : request.paths.map(String),
          ...(request.kind === 'observe' && request.format !== undefined ? { format: request.format } : {}),
          ...(request.kind === 'observe-composite' && request.responseFormat !== undefined
            ? { format: request.responseFormat }
            : {}),
          ...(request.kind === 'observe-composite' && request.requestFormat !== undefined
            ? { requestFormat: request.requestFormat }
            : {}),
          createdAt: this.options.clock.now(),
        }
      : undefined;
    if (!info) void coap.cancel({ proactive: false });
    if (info) {
      await this.#observations?.established(info);
      const live: LiveObservation = { info, request, target, coap };
      this.#live.set(info.id, live);
      this.#bind(live, response.message.token);
      this.#pump(live, coap, ctx);
    }
    if (request.kind === 'observe') {
      const content = (decoded as ObserveResponse).content!;
      return info ? ObserveResponse.established(content, info) : new ObserveResponse(code, undefined, content);
    }
    const content = (decoded as ObserveCompositeResponse).content;
    return info
      ? ObserveCompositeResponse.established(content, info)
      : new ObserveCompositeResponse(code, undefined, content);
  }

  /**
   * Relays notifications of one CoAP observation until it ends or is replaced. (For a new
   * observation `#observe` consumed the first response already; after a rebind the first
   * response is relayed as a notification.) One notification at a time, in order; written as a
   * promise chain rather than an async loop so a notification costs one hop, not three.
   */
  #pump(live: LiveObservation, coap: CoapObservation, ctx: DecodeContext): void {
    const iterator = coap[Symbol.asyncIterator]();
    const finished = (): void => {
      // The CoAP observation ended by itself (error answer, timeout, client gone).
      if (live.coap === coap && this.#live.get(live.info.id) === live) {
        this.#live.delete(live.info.id);
        void this.#observations?.remove(live.info.id, 'error');
      }
    };
    const failed = (error: unknown): void => {
      this.options.onError?.(error);
      finished();
    };
    const next = (): void => {
      iterator.next().then(relay, failed);
    };
    const relay = (result: IteratorResult<CoapResponse>): void => {
      if (result.done) {
        finished();
        return;
      }
      if (live.coap !== coap) return;
      let delivered: Promise<void> | undefined;
      try {
        this.#bind(live, result.value.message.token);
        delivered = this.#deliver(live, result.value, ctx);
      } catch (error) {
        failed(error);
        return;
      }
      if (delivered) delivered.then(next, failed);
      else next();
    };
    next();
  }

  /** Records a new token of a live observation in the shared store (a rebind or resume made one). */
  #bind(live: LiveObservation, token: Uint8Array): void {
    if (!this.options.bindToken || (live.token && sameBytes(live.token, token))) return;
    live.token = token;
    this.options.bindToken(live.info.id, token).catch((error) => this.options.onError?.(error));
  }

  /** Decodes and hands over one notification; a promise while the ObservationService works on it. */
  #deliver(live: LiveObservation, response: CoapResponse, ctx: DecodeContext): Promise<void> | undefined {
    const observations = this.#observations;
    if (!observations) return undefined;
    const code = responseCodeFromByte(response.code);
    let known: Promise<unknown>;
    if (!code.startsWith('2.')) {
      known = observations.notify(live.info.id, { code, diagnostic: text(response.payload) });
    } else {
      try {
        if (live.request.kind === 'observe') {
          const content = decodeNode(response.payload, response.contentFormat, live.request.path, ctx);
          known = observations.notify(live.info.id, { code, content });
        } else {
          const compositeContent = decodeComposite(response.payload, response.contentFormat, live.request.paths, ctx);
          known = observations.notify(live.info.id, { code, compositeContent });
        }
      } catch (error) {
        this.options.onError?.(error);
        return undefined;
      }
    }
    return known.then((notification) => {
      if (!notification) this.forgetObservation(live.info.id);
    });
  }

  async #cancelActive(observationId: string): Promise<CancelObservationResponse> {
    const live = this.#live.get(observationId);
    if (!live) return CancelObservationResponse.notFound('no live observation with this id on this server');
    this.#live.delete(observationId);
    await live.coap.cancel({ proactive: true });
    return CancelObservationResponse.success();
  }
}

function requestFields(spec: CoapRequestSpec) {
  return {
    method: spec.method,
    path: spec.path,
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.payload ? { payload: spec.payload } : {}),
    ...(spec.contentFormat !== undefined ? { contentFormat: spec.contentFormat } : {}),
    ...(spec.accept !== undefined ? { accept: spec.accept } : {}),
  };
}

function text(payload: Uint8Array): string | undefined {
  if (payload.length === 0) return undefined;
  return new TextDecoder().decode(payload);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
