/**
 * The Device Management and Information Reporting interfaces over CoAP: one handler for every
 * request a server sends to the client (Read, Discover, Observe, Write, Write-Attributes,
 * Execute, Create, Delete, Read-/Write-/Observe-Composite).
 */
import { CoapError, type CoapRequest, type CoapResponseInit, type Peer } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat, serializeLinkFormat } from '@lwm2m-ts/codec';
import { type LwM2mNode, LwM2mPath, validateNode, validateRequest } from '@lwm2m-ts/objects';
import type { AttributeStore } from '../attributes/attribute-store';
import {
  checkConsistency,
  checkPlacement,
  type NotificationAttributes,
  parseAttributeQuery,
} from '../attributes/notification-attributes';
import { parseExecuteArguments } from '../enabler/execute-arguments';
import type { Requester } from '../enabler/instance-enabler';
import type { StoredNotification } from '../observe/notification-history';
import { type Sample, sampleOf } from '../observe/notify-rules';
import type { ObservationManager, ObservationTarget } from '../observe/observation-manager';
import type { RelationEngine } from '../observe/relation';
import { discover } from '../tree/discover';
import { deleteInstance, deleteResourceInstance, executeResource } from '../tree/execute-delete';
import { readNode } from '../tree/node-reader';
import { createInstance, writeNode } from '../tree/node-writer';
import type { ObjectTree } from '../tree/object-tree';
import { problemError, requireInstance, requireObject, throwProblems } from '../tree/problems';
import type { ContentNegotiation } from './content-negotiation';

/** What an operation needs from the Access Control object (OMA LwM2M Core §7.3.3 ACL bits). */
export type AccessOperation = 'read' | 'write' | 'execute' | 'delete' | 'create';

/** Who sent a request the DM handler serves: a registered server, or a direct-access peer. */
export interface ServerCaller {
  readonly requester: Extract<Requester, { kind: 'server' | 'peer' }>;
  /** Key of the caller in the attribute store and observations ("ssid:101", "peer:10.0.0.7|5683"). */
  readonly serverKey: string;
  /** The endpoint the request came in on (it keeps the CoAP relation of an Observe). */
  readonly endpoint?: RelationEngine | undefined;
}

export interface DmHandlerDeps {
  readonly tree: ObjectTree;
  readonly negotiation: ContentNegotiation;
  readonly attributes: AttributeStore;
  readonly observations: ObservationManager;
  readonly lwm2mVersion: string;
  /** Server default pmin / pmax (object 1 resources 2 and 3). */
  defaults(serverKey: string): NotificationAttributes;
  /** Throws 4.01 when the Access Control object refuses. */
  authorize(caller: ServerCaller, operation: AccessOperation, path: LwM2mPath): Promise<void>;
  /** A server created an instance (Access Control owner bookkeeping). */
  created?(caller: ServerCaller, path: LwM2mPath): Promise<void>;
  /** An instance was deleted by a server. */
  deleted?(path: LwM2mPath): Promise<void>;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const relationKey = (peer: Peer, token: Uint8Array) => `${peer.key}#${hex(token)}`;

/** Parses the Uri-Path as an LwM2M path; anything else is 4.04. */
export function lwm2mPathOf(segments: readonly string[]): LwM2mPath {
  const path = LwM2mPath.tryParse(segments.join('/'));
  if (!path) throw CoapError.notFound(`/${segments.join('/')} is not an LwM2M path`);
  return path;
}

export class DmHandler {
  constructor(private readonly d: DmHandlerDeps) {}

  async handle(req: CoapRequest, caller: ServerCaller): Promise<CoapResponseInit> {
    const path = lwm2mPathOf(req.path);
    switch (req.method) {
      case 'GET':
        if (req.accept === ContentFormat.LINK_FORMAT) return this.discover(req, caller, path);
        return this.read(req, caller, path);
      case 'PUT':
        if (req.payload.length === 0 && req.query.length > 0) return this.writeAttributes(req, caller, path);
        return this.write(req, caller, path, 'replace');
      case 'POST':
        return this.post(req, caller, path);
      case 'DELETE':
        if (path.isResourceInstance() && this.d.lwm2mVersion === '1.2') {
          await this.d.authorize(caller, 'write', path);
          await deleteResourceInstance(this.d.tree, path, caller.requester);
          return { code: CoapCode.DELETED };
        }
        await this.d.authorize(caller, 'delete', path);
        await deleteInstance(this.d.tree, path, caller.requester);
        this.d.attributes.removeBelow(path);
        await this.d.deleted?.(path);
        return { code: CoapCode.DELETED };
      case 'FETCH':
        this.requireComposite();
        return this.fetch(req, caller, path);
      case 'IPATCH':
        this.requireComposite();
        return this.writeComposite(req, caller, path);
      default:
        throw CoapError.methodNotAllowed(`${req.method ?? req.code} is not an LwM2M operation`);
    }
  }

  /**
   * Whether this Read/Read-Composite starts (or, rendered as a notification, continues) an
   * observation the engine keeps. Observe=1 ends ours; so does a registration the engine
   * refuses because its observer cap is full (it answers without Observe, RFC 7641 §4.1):
   * recording it would leave a relation, router entry and attribute pin nobody clears.
   */
  private observing(req: CoapRequest, key: string): boolean {
    const observe = req.observe;
    if (observe === 1 || (observe === 0 && req.observing === false)) {
      this.d.observations.cancel(key);
      return false;
    }
    return observe === 0;
  }

  private requireComposite(): void {
    if (this.d.lwm2mVersion === '1.0') throw CoapError.methodNotAllowed('composite operations need LwM2M 1.1');
  }

  // ---- Read / Observe / Discover ------------------------------------------------------------

  private async read(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    await this.d.authorize(caller, 'read', path);
    const key = relationKey(req.peer, req.message.token);
    const observing = this.observing(req, key);
    const target: ObservationTarget = {
      server: caller.serverKey,
      key,
      coapPath: path.toString(),
      paths: [path],
      peer: req.peer,
      token: req.message.token,
      endpoint: caller.endpoint,
    };
    const history = observing ? this.d.observations.pendingHistory(key) : undefined;
    if (history) return this.renderHistory(req, target, history);
    const node = await readNode(this.d.tree, path, caller.requester);
    const encoded = this.d.negotiation.encode(node, path, req.accept);
    if (observing) this.d.observations.sent(target, new Map([[path.toString(), sampleOf(node)]]));
    return { code: CoapCode.CONTENT, ...encoded };
  }

  /**
   * A notification carrying stored (hqmax) notifications: all of them with their times in one
   * SenML body, or, in a format without timestamps, the oldest one (the rest follow).
   */
  private renderHistory(
    req: CoapRequest,
    target: ObservationTarget,
    history: readonly StoredNotification[],
  ): CoapResponseInit {
    const single = target.paths.length === 1 && target.coapPath !== '/' ? target.paths[0]! : undefined;
    const first = history[0]!;
    const format = single
      ? this.d.negotiation.responseFormat(req.accept, first.nodes.get(single.toString())!)
      : this.d.negotiation.compositeFormat(req.accept ?? req.contentFormat);
    const groups = history.map((h) => ({ timestamp: h.at / 1000, nodes: h.nodes }));
    const all = this.d.negotiation.encodeTimestamped(groups, format);
    if (all) {
      this.d.observations.historyRendered(target, history.length);
      return { code: CoapCode.CONTENT, ...all };
    }
    const one = single
      ? this.d.negotiation.encode(first.nodes.get(single.toString())!, single, req.accept)
      : this.d.negotiation.encodeComposite(first.nodes, format);
    this.d.observations.historyRendered(target, 1);
    return { code: CoapCode.CONTENT, ...one };
  }

  private async discover(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    await this.d.authorize(caller, 'read', path);
    const depthText = req.queryParam('depth');
    const depth = depthText === undefined ? undefined : Number(depthText);
    if (depthText !== undefined && (this.d.lwm2mVersion !== '1.2' || !/^\d$/.test(depthText)))
      throw CoapError.badRequest(`depth=${depthText} is not allowed here`);
    const links = await discover(this.d.tree, path, {
      attributes: this.d.attributes,
      server: caller.serverKey,
      requester: caller.requester,
      lwm2mVersion: this.d.lwm2mVersion,
      ...(depth !== undefined ? { depth } : {}),
    });
    return { code: CoapCode.CONTENT, contentFormat: ContentFormat.LINK_FORMAT, payload: serializeLinkFormat(links) };
  }

  private async writeAttributes(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    if (path.isRoot()) throw CoapError.methodNotAllowed('Write-Attributes needs an object, instance or resource');
    await this.d.authorize(caller, 'read', path);
    const object = requireObject(this.d.tree, path);
    if (!path.isObject()) requireInstance(this.d.tree, path);
    const resource = path.resourceId === undefined ? undefined : object.model.resources.get(path.resourceId);
    if (path.resourceId !== undefined && !resource) throw CoapError.notFound(`resource ${path} is not defined`);
    const change = parseAttributeQuery(req.query, this.d.lwm2mVersion);
    const next = this.d.attributes.preview(caller.serverKey, path, change);
    checkPlacement(next, path, resource);
    // Check what observations of this path would use: inherited levels plus the new ones.
    const effective = { ...this.d.attributes.effective(caller.serverKey, path), ...next };
    for (const name of change.clear) if (!(name in next)) delete (effective as Record<string, unknown>)[name];
    checkConsistency(effective);
    this.d.attributes.set(caller.serverKey, path, next);
    this.d.observations.attributesChanged(caller.serverKey);
    return { code: CoapCode.CHANGED };
  }

  // ---- Write / Execute / Create -------------------------------------------------------------

  private async write(
    req: CoapRequest,
    caller: ServerCaller,
    path: LwM2mPath,
    mode: 'replace' | 'update',
  ): Promise<CoapResponseInit> {
    if (path.isRoot() || path.isObject())
      throw CoapError.methodNotAllowed(`Write targets an object instance or resource, not ${path}`);
    await this.d.authorize(caller, 'write', path);
    const object = requireObject(this.d.tree, path);
    const p = validateRequest(object.model, path, 'write');
    if (p) throw problemError(p);
    requireInstance(this.d.tree, path);
    const node = this.d.negotiation.decode(req.payload, contentFormatOf(req, path), path);
    await writeNode(this.d.tree, path, node, mode, caller.requester);
    return { code: CoapCode.CHANGED };
  }

  private async post(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    if (path.isRoot()) throw CoapError.methodNotAllowed('POST / is not an LwM2M operation');
    if (path.isObject()) return this.create(req, caller, path);
    if (path.isResource()) {
      const object = requireObject(this.d.tree, path);
      const resource = object.model.resources.get(path.resourceId!);
      // POST on a resource is Execute, except the partial update of a multiple resource (1.1+).
      if (resource && !resource.operations.execute && !(resource.multiple && this.d.lwm2mVersion !== '1.0')) {
        await this.d.authorize(caller, 'execute', path);
        const p = validateRequest(object.model, path, 'execute');
        if (p) throw problemError(p);
      }
      if (resource?.operations.execute) {
        await this.d.authorize(caller, 'execute', path);
        if (req.contentFormat !== undefined && req.contentFormat !== ContentFormat.TEXT_PLAIN)
          throw CoapError.unsupportedContentFormat('Execute arguments are text/plain');
        const args = parseExecuteArguments(req.text());
        await executeResource(this.d.tree, path, args, caller.requester);
        return { code: CoapCode.CHANGED };
      }
    }
    return this.write(req, caller, path, 'update');
  }

  private async create(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    await this.d.authorize(caller, 'create', path);
    const object = requireObject(this.d.tree, path);
    const format = req.contentFormat;
    let instances: LwM2mNode[];
    try {
      const node = this.d.negotiation.decode(req.payload, format, path);
      instances = node.kind === 'object' ? [...node.instances.values()] : [node];
    } catch (e) {
      // No instance id in the payload (1.0 TLV of resources): decode it as the next free instance.
      if (!CoapError.isInstance(e) || e.code !== CoapCode.BAD_REQUEST) throw e;
      instances = [this.d.negotiation.decode(req.payload, format, path.child(object.nextFreeId()))];
    }
    if (instances.length === 0) throw CoapError.badRequest('Create payload has no instance');
    let first: LwM2mPath | undefined;
    for (const node of instances) {
      if (node.kind !== 'object-instance')
        throw CoapError.badRequest(`Create needs object instances, got a ${node.kind}`);
      const created = await createInstance(this.d.tree, path, node, caller.requester);
      await this.d.created?.(caller, created);
      first ??= created;
    }
    return { code: CoapCode.CREATED, locationPath: first!.ids.map(String) };
  }

  // ---- Composite ----------------------------------------------------------------------------

  private async fetch(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    if (!path.isRoot()) throw CoapError.methodNotAllowed('Read-Composite targets /');
    const paths = this.d.negotiation.decodePaths(req.payload, req.contentFormat);
    if (paths.length === 0) throw CoapError.badRequest('Read-Composite without paths');
    const key = relationKey(req.peer, req.message.token);
    const observing = this.observing(req, key);
    for (const p of paths) await this.d.authorize(caller, 'read', p);
    const target: ObservationTarget = {
      server: caller.serverKey,
      key,
      coapPath: '/',
      paths,
      peer: req.peer,
      token: req.message.token,
      endpoint: caller.endpoint,
    };
    const history = observing ? this.d.observations.pendingHistory(key) : undefined;
    if (history) return this.renderHistory(req, target, history);
    const nodes = new Map<string, LwM2mNode>();
    for (const p of paths) {
      try {
        nodes.set(p.toString(), await readNode(this.d.tree, p, caller.requester));
      } catch (e) {
        // Paths that do not exist are left out; other errors fail the whole request.
        if (!CoapError.isInstance(e) || e.code !== CoapCode.NOT_FOUND) throw e;
      }
    }
    if (nodes.size === 0) throw CoapError.notFound('none of the requested paths exists');
    const encoded = this.d.negotiation.encodeComposite(nodes, req.accept ?? req.contentFormat);
    if (observing) {
      const samples = new Map<string, Sample>();
      for (const [p, node] of nodes) samples.set(p, sampleOf(node));
      this.d.observations.sent(target, samples);
    }
    return { code: CoapCode.CONTENT, ...encoded };
  }

  private async writeComposite(req: CoapRequest, caller: ServerCaller, path: LwM2mPath): Promise<CoapResponseInit> {
    if (!path.isRoot()) throw CoapError.methodNotAllowed('Write-Composite targets /');
    const nodes = this.d.negotiation.decodeComposite(req.payload, req.contentFormat);
    if (nodes.size === 0) throw CoapError.badRequest('Write-Composite without values');
    // Check everything first: one bad entry refuses the whole request and changes nothing.
    const entries: [LwM2mPath, LwM2mNode][] = [];
    for (const [text, node] of nodes) {
      const p = LwM2mPath.parse(text);
      await this.d.authorize(caller, 'write', p);
      const object = requireObject(this.d.tree, p);
      const problem = validateRequest(object.model, p, 'write');
      if (problem) throw problemError(problem);
      requireInstance(this.d.tree, p);
      throwProblems(validateNode(object.model, p, node, 'write-update'));
      entries.push([p, node]);
    }
    for (const [p, node] of entries) await writeNode(this.d.tree, p, node, 'update', caller.requester);
    return { code: CoapCode.CHANGED };
  }
}

/** Content-Format of a Write; a single resource without one is read as text/plain. */
function contentFormatOf(req: CoapRequest, path: LwM2mPath): number | undefined {
  if (req.contentFormat !== undefined) return req.contentFormat;
  return path.isResource() || path.isResourceInstance() ? ContentFormat.TEXT_PLAIN : undefined;
}
