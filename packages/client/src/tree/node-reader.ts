/**
 * Read: builds LwM2M nodes from InstanceEnablers. Object and instance reads leave out resources
 * that are not readable (executables) or absent; a resource read answers 4.04 / 4.05 for them.
 */
import { CoapError } from '@lwm2m-ts/coap';
import {
  type LwM2mNode,
  LwM2mObject,
  type LwM2mPath,
  ObjectInstance,
  type ObjectInstance as ObjectInstanceNode,
  type ObjectModel,
  Resource,
  ResourceInstance,
  validateRequest,
} from '@lwm2m-ts/objects';
import {
  type InstanceEnabler,
  isMultipleContent,
  type Requester,
  type ResourceContent,
} from '../enabler/instance-enabler';
import type { ObjectEnabler } from '../enabler/object-enabler';
import type { ObjectTree } from './object-tree';
import { hasResource, problemError, requireInstance, requireObject } from './problems';

/** Reads the node at `path` (object, instance, resource or resource instance). */
export async function readNode(tree: ObjectTree, path: LwM2mPath, requester: Requester): Promise<LwM2mNode> {
  if (path.isRoot()) throw CoapError.methodNotAllowed('Read targets an object, instance or resource, not /');
  const object = requireObject(tree, path);
  if (path.isObject()) return readObject(object, requester);
  const problem = path.isObjectInstance() ? undefined : validateRequest(object.model, path, 'read');
  if (problem) throw problemError(problem);
  const { instance } = requireInstance(tree, path);
  const instanceId = path.objectInstanceId!;
  if (path.isObjectInstance()) return readInstance(object.model, instanceId, instance, requester);
  const resourceId = path.resourceId!;
  const content = hasResource(instance, resourceId) ? await instance.read(resourceId, requester) : undefined;
  if (content === undefined) throw CoapError.notFound(`resource ${path} does not exist`);
  const node = toResourceNode(object.model, resourceId, content);
  if (!path.isResourceInstance()) return node;
  const ri = node.multiple ? node.instances.get(path.resourceInstanceId!) : undefined;
  if (!ri) throw CoapError.notFound(`resource instance ${path} does not exist`);
  return ri;
}

export async function readObject(object: ObjectEnabler, requester: Requester): Promise<LwM2mObject> {
  const instances: ObjectInstanceNode[] = [];
  for (const id of object.instanceIds()) {
    const instance = object.instance(id);
    if (instance) instances.push(await readInstance(object.model, id, instance, requester));
  }
  return LwM2mObject.of(object.id, instances);
}

export async function readInstance(
  model: ObjectModel,
  instanceId: number,
  instance: InstanceEnabler,
  requester: Requester,
  /** Bootstrap-Read and Bootstrap-Write see every resource, readable or not. */
  all = false,
): Promise<ObjectInstanceNode> {
  const resources: Resource[] = [];
  for (const id of instance.resourceIds()) {
    const rm = model.resources.get(id);
    if (!rm || rm.type === 'none' || (!all && !rm.operations.read)) continue;
    const content = await instance.read(id, requester);
    if (content !== undefined) resources.push(toResourceNode(model, id, content));
  }
  return ObjectInstance.of(instanceId, resources);
}

/** A resource node from enabler content, typed per the model. */
export function toResourceNode(model: ObjectModel, resourceId: number, content: ResourceContent): Resource {
  const rm = model.resources.get(resourceId);
  if (rm?.multiple || (rm === undefined && isMultipleContent(content))) {
    const map = isMultipleContent(content) ? content : new Map([[0, content]]);
    const type = rm && rm.type !== 'none' ? rm.type : ([...map.values()][0]?.type ?? 'string');
    return Resource.multiple(
      resourceId,
      type,
      [...map].map(([id, v]) => ResourceInstance.of(id, v)),
    );
  }
  if (isMultipleContent(content))
    throw new TypeError(`resource ${resourceId} of object ${model.id} is single-instance`);
  return Resource.single(resourceId, content);
}

/** Enabler content from a resource node. */
export function contentOfNode(node: Resource): ResourceContent {
  return node.multiple ? new Map([...node.instances].map(([id, ri]) => [id, ri.value])) : node.value;
}
