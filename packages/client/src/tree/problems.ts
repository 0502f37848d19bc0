/** Validation problems and missing targets as CoAP error responses. */
import { CoapError } from '@lwm2m-ts/coap';
import type { LwM2mPath, ValidationProblem } from '@lwm2m-ts/objects';
import type { InstanceEnabler } from '../enabler/instance-enabler';
import type { ObjectEnabler } from '../enabler/object-enabler';
import type { ObjectTree } from './object-tree';

export function problemError(problem: ValidationProblem): CoapError {
  switch (problem.response) {
    case 'not-found':
      return CoapError.notFound(problem.message);
    case 'method-not-allowed':
      return CoapError.methodNotAllowed(problem.message);
    default:
      return CoapError.badRequest(problem.message);
  }
}

/** Throws the first problem as a CoapError. */
export function throwProblems(problems: readonly ValidationProblem[]): void {
  const first = problems[0];
  if (first) throw problemError(first);
}

export function requireObject(tree: ObjectTree, path: LwM2mPath): ObjectEnabler {
  const objectId = path.objectId;
  const object = objectId === undefined ? undefined : tree.get(objectId);
  if (!object) throw CoapError.notFound(`object ${objectId ?? '/'} is not on this client`);
  return object;
}

export function requireInstance(
  tree: ObjectTree,
  path: LwM2mPath,
): { object: ObjectEnabler; instance: InstanceEnabler } {
  const object = requireObject(tree, path);
  const id = path.objectInstanceId;
  const instance = id === undefined ? undefined : object.instance(id);
  if (!instance) throw CoapError.notFound(`object instance /${object.id}/${id} does not exist`);
  return { object, instance };
}

export function hasResource(instance: InstanceEnabler, resourceId: number): boolean {
  for (const id of instance.resourceIds()) if (id === resourceId) return true;
  return false;
}
