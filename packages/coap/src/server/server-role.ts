/**
 * The server role of an Endpoint: a request comes up through the user layers, block-wise
 * reassembly and observe registration to its handler; the answer goes back down the same way.
 */
import { CoapCode, type CoapMessage, CodecError, OptionNumber } from '@lwm2m-ts/codec';
import type { BlockwiseLayer } from '../blockwise/blockwise-layer';
import type { ServerExchange } from '../exchange';
import {
  createLayerContext,
  isLayerRejection,
  isLayerRetry,
  type LayerRejection,
  type MessageLayer,
  type PendingRetry,
  receiveThroughLayers,
  sendThroughLayers,
} from '../layer';
import type { Messenger } from '../messenger';
import { ObserveIntent, type ObserveServer, withoutObserve } from '../observe/observe-server';
import { IncomingRequest } from '../request';
import { buildResponseMessage } from '../response';
import type { Peer } from '../transport';
import { type Dispatcher, errorMessage } from './dispatcher';
import type { OptionChecks } from './option-checks';

export interface ServerRoleDeps {
  readonly messenger: Messenger;
  readonly layers: readonly MessageLayer[];
  readonly blockwise: BlockwiseLayer;
  readonly dispatcher: Dispatcher;
  readonly registry: OptionChecks;
  isClosed(): boolean;
  reportError(error: unknown, where: string): void;
}

export class ServerRole {
  /** Set once the observe server exists (it needs this role to render notifications). */
  observers!: ObserveServer;
  private readonly dispatcher: Dispatcher;
  private readonly registry: OptionChecks;

  constructor(private readonly d: ServerRoleDeps) {
    this.dispatcher = d.dispatcher;
    this.registry = d.registry;
  }

  /** A (deduplicated) request from a peer, up through the layers to the handler. */
  receiveRequest(sx: ServerExchange, message: CoapMessage): void {
    if (this.d.isClosed()) return;
    if (this.d.layers.length === 0) {
      this.serve(sx, message);
      return;
    }
    const ctx = createLayerContext(sx.peer, 'server');
    sx.ctx = ctx;
    const failed = (e: unknown) => {
      this.d.reportError(e, `layer receiveRequest from ${sx.peer.key}`);
      this.sendUnprotected(sx, errorMessage(message.token, CoapCode.INTERNAL_SERVER_ERROR));
    };
    const passed = (out: CoapMessage | LayerRejection | PendingRetry) => {
      if (isLayerRejection(out)) this.sendUnprotected(sx, rejectionMessage(message.token, out));
      else if (isLayerRetry(out)) {
        // Only responses can be retried: a layer answering a request with a retry is a bug.
        this.d.reportError(new Error('a layer returned a retry for a request'), `layer receiveRequest`);
        this.sendUnprotected(sx, errorMessage(message.token, CoapCode.INTERNAL_SERVER_ERROR));
      } else {
        sx.peer = ctx.peer;
        this.serve(sx, out);
      }
    };
    // Synchronous layers (OSCORE) cost no promise per request; async ones still work.
    let out: ReturnType<typeof receiveThroughLayers>;
    try {
      out = receiveThroughLayers(this.d.layers, 'receiveRequest', message, ctx);
    } catch (e) {
      failed(e);
      return;
    }
    if (out instanceof Promise) out.then(passed, failed);
    else passed(out);
  }

  /** Never throws: a request that trips anything below the handler still gets an answer. */
  private serve(sx: ServerExchange, message: CoapMessage): void {
    try {
      this.serveRequest(sx, message);
    } catch (e) {
      const isCodec = CodecError.isInstance(e);
      if (!isCodec) this.d.reportError(e, `serving a request from ${sx.peer.key}`);
      if (!sx.responded) {
        const code = isCodec
          ? e.responseCode === CoapCode.BAD_OPTION
            ? CoapCode.BAD_OPTION
            : CoapCode.BAD_REQUEST
          : CoapCode.INTERNAL_SERVER_ERROR;
        this.sendUnprotected(sx, errorMessage(message.token, code, isCodec ? e.message : undefined));
      }
    }
  }

  private serveRequest(sx: ServerExchange, message: CoapMessage): void {
    const special = specialOptionIn(message);
    if (special === OptionNumber.PROXY_URI) {
      this.sendResponseDown(sx, errorMessage(message.token, CoapCode.PROXYING_NOT_SUPPORTED));
      return;
    }
    if (special === OptionNumber.OSCORE) {
      // An OSCORE layer removes the option when it unprotects; still here, nobody processed it
      // (RFC 8613 §2: a server without OSCORE treats it as an unrecognized critical option).
      this.sendResponseDown(sx, errorMessage(message.token, CoapCode.BAD_OPTION, 'OSCORE is not supported here'));
      return;
    }
    const problem = this.registry.check(message.options);
    if (problem?.critical) {
      const what = `${this.registry.nameOf(problem.option)}: ${problem.reason}`;
      this.sendResponseDown(sx, errorMessage(message.token, CoapCode.BAD_OPTION, what));
      return;
    }
    const full = this.d.blockwise.receiveRequest(sx, message, (reply) => this.sendResponseDown(sx, reply));
    if (full === undefined) return; // block-wise answered (2.31, 4.08, 4.13, cached block)
    const req = new IncomingRequest(sx.peer, full);
    const resolution = this.dispatcher.resolve(req);
    if (!('handler' in resolution)) {
      if (req.observe !== undefined) this.observers.deregister(sx.peer, message.token);
      this.sendResponseDown(sx, this.d.blockwise.prepareResponse(sx, full, resolution));
      return;
    }
    const intent = this.observers.beforeHandler(sx, req, resolution.route);
    let answer: ReturnType<Dispatcher['invoke']>;
    try {
      answer = this.dispatcher.invoke(resolution.handler, req);
    } catch (e) {
      if (intent === ObserveIntent.Registering) this.observers.release();
      throw e;
    }
    if (answer instanceof Promise) {
      this.d.messenger.deferResponse(sx);
      answer.then(
        (m) => this.respond(sx, req, m, intent),
        (e: unknown) => {
          if (intent === ObserveIntent.Registering) this.observers.release();
          this.d.reportError(e, `answering ${sx.peer.key}`);
          if (!sx.responded) this.sendUnprotected(sx, errorMessage(message.token, CoapCode.INTERNAL_SERVER_ERROR));
        },
      );
    } else this.respond(sx, req, answer, intent);
  }

  /** Never throws; a registration's held slot is always given back (register or release). */
  private respond(sx: ServerExchange, req: IncomingRequest, response: CoapMessage, intent: ObserveIntent): void {
    const registering = intent === ObserveIntent.Registering;
    if (this.d.isClosed()) {
      if (registering) this.observers.release();
      return;
    }
    let held = registering;
    try {
      let m = response;
      if (registering) {
        held = false;
        m = this.observers.register(sx, req, m);
      } else if (intent === ObserveIntent.Refused) m = withoutObserve(m);
      this.sendResponseDown(sx, this.d.blockwise.prepareResponse(sx, req.message, m));
    } catch (e) {
      // The handler's answer cannot be sent (e.g. an option that cannot be encoded): a server fault.
      if (held) this.observers.release();
      if (registering) this.observers.deregister(sx.peer, req.message.token);
      this.d.reportError(e, `answer to ${sx.peer.key}`);
      if (!sx.responded) this.sendUnprotected(sx, errorMessage(req.message.token, CoapCode.INTERNAL_SERVER_ERROR));
    }
  }

  /** Runs a resource's handler again for a notification; answers with the first block if large. */
  render(peer: Peer, request: CoapMessage, sx: ServerExchange): CoapMessage | Promise<CoapMessage> {
    const req = new IncomingRequest(peer, request);
    req.observing = true; // a notification renders a relation the engine keeps
    const resolution = this.dispatcher.resolve(req);
    const answer = 'handler' in resolution ? this.dispatcher.invoke(resolution.handler, req) : resolution;
    const slice = (m: CoapMessage) => this.d.blockwise.prepareResponse(sx, request, m);
    return answer instanceof Promise ? answer.then(slice) : slice(answer);
  }

  private sendResponseDown(sx: ServerExchange, message: CoapMessage): void {
    if (this.d.layers.length === 0 || !sx.ctx) {
      this.d.messenger.sendResponse(sx, message);
      return;
    }
    const failed = (e: unknown) => this.d.reportError(e, `layer sendResponse to ${sx.peer.key}`);
    try {
      const out = sendThroughLayers(this.d.layers, 'sendResponse', message, sx.ctx);
      if (out instanceof Promise) out.then((m) => this.d.messenger.sendResponse(sx, m)).catch(failed);
      else this.d.messenger.sendResponse(sx, out);
    } catch (e) {
      failed(e);
    }
  }

  /** Last-resort answers (layer rejections, internal failures): straight to the message layer. */
  private sendUnprotected(sx: ServerExchange, message: CoapMessage): void {
    try {
      this.d.messenger.sendResponse(sx, message);
    } catch (e) {
      this.d.reportError(e, `answering ${sx.peer.key}`);
    }
  }

  sendNotificationDown(
    sx: ServerExchange,
    message: CoapMessage,
    confirmable: boolean,
    owner: Parameters<Messenger['sendNotification']>[3],
  ): void {
    if (this.d.isClosed()) return;
    if (this.d.layers.length === 0 || !sx.ctx) {
      this.d.messenger.sendNotification(sx, message, confirmable, owner);
      return;
    }
    const failed = (e: unknown) => this.d.reportError(e, `layer notification to ${sx.peer.key}`);
    try {
      const out = sendThroughLayers(this.d.layers, 'sendResponse', message, sx.ctx);
      if (out instanceof Promise)
        out.then((m) => this.d.messenger.sendNotification(sx, m, confirmable, owner)).catch(failed);
      else this.d.messenger.sendNotification(sx, out, confirmable, owner);
    } catch (e) {
      failed(e);
    }
  }
}

/** Proxy-Uri / Proxy-Scheme: this endpoint is not a proxy (RFC 7252 §5.7.2: 5.05). */
/**
 * The option a request needs turned away for before anything else: Proxy-Uri/Proxy-Scheme
 * (reported as PROXY_URI: no proxying here) or an OSCORE option no layer consumed; else undefined.
 */
function specialOptionIn(m: CoapMessage): number | undefined {
  const options = m.options;
  for (let i = 0; i < options.length; i++) {
    const n = options[i]!.number;
    if (n === OptionNumber.PROXY_URI || n === OptionNumber.PROXY_SCHEME) return OptionNumber.PROXY_URI;
    if (n === OptionNumber.OSCORE) return OptionNumber.OSCORE;
  }
  return undefined;
}

function rejectionMessage(token: Uint8Array, r: LayerRejection): CoapMessage {
  if (r.message) return { ...r.message, token };
  return buildResponseMessage(token, r.reject, {
    ...(r.diagnostic ? { payload: r.diagnostic } : {}),
    ...(r.options ? { options: r.options } : {}),
  });
}
