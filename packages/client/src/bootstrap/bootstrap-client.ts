/**
 * The bootstrap interface on the client side: client-initiated Bootstrap-Request
 * (`POST /bs?ep=&pct=`), then the Bootstrap-Server's operations until Bootstrap-Finish
 * (`POST /bs`), which is answered 2.04 only when the configuration is consistent (4.06
 * otherwise). Server-initiated bootstrap is the same without the request.
 */
import {
  type Clock,
  CoapError,
  type CoapRequest,
  type CoapResponseInit,
  type Endpoint,
  type Peer,
} from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat, serializeLinkFormat } from '@lwm2m-ts/codec';
import { LwM2mPath, ObjectInstance, type Resource } from '@lwm2m-ts/objects';
import type { ContentNegotiation } from '../coap/content-negotiation';
import { lwm2mPathOf } from '../coap/dm-handler';
import { BOOTSTRAP } from '../enabler/instance-enabler';
import { readInstance, readNode, readObject } from '../tree/node-reader';
import { writeNode } from '../tree/node-writer';
import type { ObjectTree } from '../tree/object-tree';
import { bootstrapDelete, bootstrapDiscover, checkBootstrapRead, checkConsistency } from './bootstrap-operations';

/** Where the bootstrap server is: the endpoint of its account and its peer. */
export interface BootstrapTarget {
  readonly endpoint: Endpoint;
  readonly peer: Peer;
}

export interface BootstrapDeps {
  readonly clock: Clock;
  readonly tree: ObjectTree;
  readonly negotiation: ContentNegotiation;
  readonly endpointName: string;
  readonly lwm2mVersion: string;
  /** `pct` of the Bootstrap-Request (1.1+). */
  readonly preferredContentFormat?: number;
  /** How long to wait for Bootstrap-Finish after the request (ms). */
  readonly timeoutMs: number;
  /** A server-initiated bootstrap began (first operation from the bootstrap server). */
  onServerInitiated(): void;
  /** Bootstrap-Finish accepted. */
  onFinished(): void;
  /** No Bootstrap-Finish in time. */
  onFailed(error: Error): void;
}

export class BootstrapFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapFailedError';
  }
}

export class BootstrapClient {
  private waiting: { timer: unknown } | undefined;
  private serverInitiated = false;

  constructor(private readonly d: BootstrapDeps) {}

  /** True between a Bootstrap-Request (or the first server-initiated operation) and Finish. */
  get inProgress(): boolean {
    return this.waiting !== undefined || this.serverInitiated;
  }

  /**
   * Client-initiated bootstrap: resolves once the Bootstrap-Server accepted the request (2.04);
   * `onFinished` / `onFailed` report the outcome (Finish, or no Finish within the timeout).
   */
  async request({ endpoint, peer }: BootstrapTarget): Promise<void> {
    if (this.waiting) throw new BootstrapFailedError('a bootstrap is already in progress');
    const timer = this.d.clock.setTimeout(() => {
      this.waiting = undefined;
      this.d.onFailed(new BootstrapFailedError(`no Bootstrap-Finish within ${this.d.timeoutMs} ms`));
    }, this.d.timeoutMs);
    this.waiting = { timer };
    const query = [`ep=${this.d.endpointName}`];
    if (this.d.lwm2mVersion !== '1.0' && this.d.preferredContentFormat !== undefined)
      query.push(`pct=${this.d.preferredContentFormat}`);
    try {
      const res = await endpoint.request({ method: 'POST', peer, path: ['bs'], query });
      if (res.code !== CoapCode.CHANGED)
        throw new BootstrapFailedError(`Bootstrap-Request answered ${res.codeText} ${res.text()}`.trim());
    } catch (e) {
      this.cancel();
      throw e;
    }
  }

  /**
   * Bootstrap-Pack-Request (LwM2M 1.2): `GET /bspack?ep=` answered with every value to write in
   * one SenML/LwM2M CBOR body. The values are applied as Bootstrap-Writes, then checked as at
   * Bootstrap-Finish; throws when the request fails or the configuration is inconsistent.
   */
  async requestPack({ endpoint, peer }: BootstrapTarget, accept: number = ContentFormat.SENML_CBOR): Promise<void> {
    const res = await endpoint.request({
      method: 'GET',
      peer,
      path: ['bspack'],
      query: [`ep=${this.d.endpointName}`],
      accept,
    });
    if (res.code !== CoapCode.CONTENT)
      throw new BootstrapFailedError(`Bootstrap-Pack-Request answered ${res.codeText} ${res.text()}`.trim());
    const values = this.d.negotiation.decodeComposite(res.payload, res.contentFormat);
    // One Bootstrap-Write per object instance, values grouped by /o/i.
    const byInstance = new Map<string, Resource[]>();
    for (const [text, node] of values) {
      const path = LwM2mPath.parse(text);
      if (node.kind !== 'resource' || path.objectInstanceId === undefined)
        throw new BootstrapFailedError(`Bootstrap-Pack entry ${text} is not a resource`);
      const key = path.parent().toString();
      byInstance.set(key, [...(byInstance.get(key) ?? []), node]);
    }
    for (const [key, resources] of byInstance) {
      const path = LwM2mPath.parse(key);
      await writeNode(this.d.tree, path, ObjectInstance.of(path.objectInstanceId!, resources), 'bootstrap', BOOTSTRAP);
    }
    const problem = await checkConsistency(this.d.tree);
    if (problem) throw new BootstrapFailedError(`Bootstrap-Pack is inconsistent: ${problem}`);
    this.d.onFinished();
  }

  /** Stops waiting for Finish (client stopped, request refused). */
  cancel(): void {
    if (this.waiting) this.d.clock.clearTimeout(this.waiting.timer);
    this.waiting = undefined;
    this.serverInitiated = false;
  }

  /** An operation from the Bootstrap-Server. */
  async handle(req: CoapRequest): Promise<CoapResponseInit> {
    if (!this.waiting && !this.serverInitiated) {
      this.serverInitiated = true;
      this.d.onServerInitiated();
    }
    if (req.method === 'POST' && req.path.length === 1 && req.path[0] === 'bs') return this.finish();
    const path = lwm2mPathOf(req.path);
    switch (req.method) {
      case 'PUT': {
        if (path.isRoot()) throw CoapError.badRequest('Bootstrap-Write targets an object, instance or resource');
        const node = this.d.negotiation.decode(req.payload, req.contentFormat, path);
        await writeNode(this.d.tree, path, node, 'bootstrap', BOOTSTRAP);
        return { code: CoapCode.CHANGED };
      }
      case 'GET': {
        if (req.accept === ContentFormat.LINK_FORMAT) {
          const links = await bootstrapDiscover(this.d.tree, path, this.d.lwm2mVersion);
          return {
            code: CoapCode.CONTENT,
            contentFormat: ContentFormat.LINK_FORMAT,
            payload: serializeLinkFormat(links),
          };
        }
        if (this.d.lwm2mVersion === '1.0') throw CoapError.methodNotAllowed('Bootstrap-Read needs LwM2M 1.1');
        checkBootstrapRead(path);
        const node = await this.readAll(path);
        return { code: CoapCode.CONTENT, ...this.d.negotiation.encode(node, path, req.accept) };
      }
      case 'DELETE':
        await bootstrapDelete(this.d.tree, path);
        return { code: CoapCode.DELETED };
      default:
        throw CoapError.methodNotAllowed(`${req.method ?? req.code} is not a bootstrap operation`);
    }
  }

  private async readAll(path: ReturnType<typeof lwm2mPathOf>) {
    const object = this.d.tree.get(path.objectId!);
    if (!object) throw CoapError.notFound(`object ${path.objectId} is not on this client`);
    if (path.isObject()) return readObject(object, BOOTSTRAP);
    if (path.isObjectInstance()) {
      const instance = object.instance(path.objectInstanceId!);
      if (!instance) throw CoapError.notFound(`object instance ${path} does not exist`);
      return readInstance(object.model, path.objectInstanceId!, instance, BOOTSTRAP, true);
    }
    return readNode(this.d.tree, path, BOOTSTRAP);
  }

  private async finish(): Promise<CoapResponseInit> {
    const problem = await checkConsistency(this.d.tree);
    if (problem) throw CoapError.notAcceptable(`bootstrap configuration is inconsistent: ${problem}`);
    this.serverInitiated = false;
    const w = this.waiting;
    this.waiting = undefined;
    if (w) this.d.clock.clearTimeout(w.timer);
    // Registration starts after the 2.04 went out.
    queueMicrotask(() => this.d.onFinished());
    return { code: CoapCode.CHANGED };
  }
}
