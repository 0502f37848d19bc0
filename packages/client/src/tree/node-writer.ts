/**
 * Write (replace and partial update), Bootstrap-Write and Create: validate the whole node
 * against the model first, then apply it, so a bad request changes nothing.
 */
import { CoapError } from '@lwm2m-ts/coap';
import { type LwM2mNode, LwM2mPath, type ObjectInstance, validateNode, validateRequest } from '@lwm2m-ts/objects';
import type { InstanceEnabler, Requester, ResourceContent, WriteContext } from '../enabler/instance-enabler';
import type { ObjectEnabler } from '../enabler/object-enabler';
import { contentOfNode } from './node-reader';
import type { ObjectTree } from './object-tree';
import { hasResource, problemError, requireInstance, requireObject, throwProblems } from './problems';

export type WriteMode = 'replace' | 'update' | 'bootstrap';

/**
 * Writes `node` at `path`. DM Write targets an instance, resource or resource instance;
 * Bootstrap-Write may also target an object and creates the instances it names.
 */
export async function writeNode(
  tree: ObjectTree,
  path: LwM2mPath,
  node: LwM2mNode,
  mode: WriteMode,
  requester: Requester,
): Promise<void> {
  const object = requireObject(tree, path);
  if (mode !== 'bootstrap') {
    const p = validateRequest(object.model, path, 'write');
    if (p) throw problemError(p);
  }
  const operation = mode === 'bootstrap' ? 'bootstrap-write' : mode === 'replace' ? 'write-replace' : 'write-update';
  throwProblems(validateNode(object.model, path, node, operation));
  const replace = mode !== 'update';
  const context: WriteContext = { requester, replace };
  if (node.kind === 'object') {
    for (const instance of node.instances.values()) await writeInstance(object, instance, context, mode, true);
    tree.valuesChanged([path]);
    return;
  }
  if (node.kind === 'object-instance') {
    await writeInstance(object, node, context, mode, mode === 'bootstrap');
    tree.valuesChanged([path]);
    return;
  }
  const { instance } =
    mode === 'bootstrap' ? await ensureInstance(object, path.objectInstanceId!) : requireInstance(tree, path);
  const resourceId = path.resourceId!;
  if (node.kind === 'resource') {
    let content = contentOfNode(node);
    if (!replace && node.multiple) content = merge(await existing(instance, resourceId, requester), content);
    await instance.write(resourceId, content, context);
  } else {
    const current = await existing(instance, resourceId, requester);
    await instance.write(resourceId, merge(current, new Map([[node.id, node.value]])), { requester, replace: false });
  }
  tree.valuesChanged([path]);
}

async function writeInstance(
  object: ObjectEnabler,
  node: ObjectInstance,
  context: WriteContext,
  mode: WriteMode,
  create: boolean,
): Promise<void> {
  const { instance, created } = create
    ? await ensureInstance(object, node.id)
    : { instance: object.instance(node.id), created: false };
  if (!instance) throw CoapError.notFound(`object instance /${object.id}/${node.id} does not exist`);
  for (const resource of node.resources.values()) {
    let content = contentOfNode(resource);
    if (mode === 'update' && resource.multiple)
      content = merge(await existing(instance, resource.id, context.requester), content);
    await instance.write(resource.id, content, context);
  }
  if (mode === 'replace' && !created && instance.removeResource) {
    // A replacing Write of an instance drops the writable resources it leaves out.
    for (const id of [...instance.resourceIds()]) {
      const rm = object.model.resources.get(id);
      if (rm?.operations.write && !node.resources.has(id)) await instance.removeResource(id, context);
    }
  }
}

async function ensureInstance(object: ObjectEnabler, id: number) {
  const found = object.instance(id);
  if (found) return { instance: found, created: false };
  if (!object.canCreate)
    throw CoapError.methodNotAllowed(`object ${object.id} (${object.model.name}) cannot create instances`);
  const instance = object.makeInstance(id);
  object.add(id, instance);
  return { instance, created: true };
}

async function existing(
  instance: InstanceEnabler,
  resourceId: number,
  requester: Requester,
): Promise<ResourceContent | undefined> {
  return hasResource(instance, resourceId) ? instance.read(resourceId, requester) : undefined;
}

function merge(current: ResourceContent | undefined, update: ResourceContent): ResourceContent {
  if (!(update instanceof Map)) return update;
  const base = current instanceof Map ? current : new Map();
  return new Map([...base, ...update].sort((a, b) => a[0] - b[0]));
}

/** Create: adds the instance(s) described by `node` below object `path`; returns the new instance id. */
export async function createInstance(
  tree: ObjectTree,
  path: LwM2mPath,
  instance: ObjectInstance,
  requester: Requester,
): Promise<LwM2mPath> {
  const object = requireObject(tree, path);
  if (!path.isObject()) throw CoapError.methodNotAllowed(`Create targets an object, not ${path}`);
  if (!object.canCreate)
    throw CoapError.methodNotAllowed(`object ${object.id} (${object.model.name}) cannot create instances`);
  if (!object.model.multiple && object.instanceIds().length > 0)
    throw CoapError.badRequest(`object ${object.id} (${object.model.name}) is single-instance and has its instance`);
  if (object.has(instance.id))
    throw CoapError.badRequest(`object instance /${object.id}/${instance.id} already exists`);
  throwProblems(validateNode(object.model, path, instance, 'create'));
  const enabler = object.makeInstance(instance.id);
  const context: WriteContext = { requester, replace: true };
  object.add(instance.id, enabler);
  try {
    for (const resource of instance.resources.values())
      await enabler.write(resource.id, contentOfNode(resource), context);
  } catch (e) {
    object.remove(instance.id);
    throw e;
  }
  return LwM2mPath.of(object.id, instance.id);
}
