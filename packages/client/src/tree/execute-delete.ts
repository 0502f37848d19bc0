/** Execute and Delete on the object tree. */
import { CoapError } from '@lwm2m-ts/coap';
import { type LwM2mPath, validateRequest } from '@lwm2m-ts/objects';
import type { ExecuteArgument } from '../enabler/execute-arguments';
import { isMultipleContent, type Requester } from '../enabler/instance-enabler';
import type { ObjectTree } from './object-tree';
import { hasResource, problemError, requireInstance, requireObject } from './problems';

export async function executeResource(
  tree: ObjectTree,
  path: LwM2mPath,
  args: readonly ExecuteArgument[],
  requester: Requester,
): Promise<void> {
  const object = requireObject(tree, path);
  const problem = validateRequest(object.model, path, 'execute');
  if (problem) throw problemError(problem);
  const { instance } = requireInstance(tree, path);
  const resourceId = path.resourceId!;
  if (!hasResource(instance, resourceId)) throw CoapError.notFound(`resource ${path} does not exist`);
  await instance.execute(resourceId, args, requester);
}

/** DM Delete of a resource instance (LwM2M 1.2): the rest of the multiple resource is kept. */
export async function deleteResourceInstance(tree: ObjectTree, path: LwM2mPath, requester: Requester): Promise<void> {
  const object = requireObject(tree, path);
  const problem = validateRequest(object.model, path, 'write');
  if (problem) throw problemError(problem);
  const { instance } = requireInstance(tree, path);
  const resourceId = path.resourceId!;
  const content = hasResource(instance, resourceId) ? await instance.read(resourceId, requester) : undefined;
  if (!content || !isMultipleContent(content) || !content.has(path.resourceInstanceId!))
    throw CoapError.notFound(`resource instance ${path} does not exist`);
  const rest = new Map(content);
  rest.delete(path.resourceInstanceId!);
  await instance.write(resourceId, rest, { requester, replace: true });
  tree.valuesChanged([path.parent()]);
}

/** DM Delete: an object instance. */
export async function deleteInstance(tree: ObjectTree, path: LwM2mPath, requester: Requester): Promise<void> {
  if (!path.isObjectInstance()) throw CoapError.methodNotAllowed(`Delete targets an object instance, not ${path}`);
  const { object, instance } = requireInstance(tree, path);
  if (!object.model.multiple && object.model.mandatory)
    throw CoapError.methodNotAllowed(`object ${object.id} (${object.model.name}) must keep its instance`);
  await instance.destroy?.(requester);
  object.remove(path.objectInstanceId!);
}
