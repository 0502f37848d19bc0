/** Execute and Delete on the object tree. */
import { CoapError } from '@lwm2m-ts/coap';
import { type LwM2mPath, validateRequest } from '@lwm2m-ts/objects';
import type { ExecuteArgument } from '../enabler/execute-arguments';
import type { Requester } from '../enabler/instance-enabler';
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

/** DM Delete: an object instance only. */
export async function deleteInstance(tree: ObjectTree, path: LwM2mPath, requester: Requester): Promise<void> {
  if (!path.isObjectInstance()) throw CoapError.methodNotAllowed(`Delete targets an object instance, not ${path}`);
  const { object, instance } = requireInstance(tree, path);
  if (!object.model.multiple && object.model.mandatory)
    throw CoapError.methodNotAllowed(`object ${object.id} (${object.model.name}) must keep its instance`);
  await instance.destroy?.(requester);
  object.remove(path.objectInstanceId!);
}
