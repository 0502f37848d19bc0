import type { ObjectModel } from '../model/types';
import type { LwM2mPath } from '../path/lwm2m-path';
import { describeTarget } from './describe-target';
import { problem, type ValidationProblem } from './validation-problem';

/** Operations checked on their target path alone (no payload to look at). */
export type PathOperation = 'read' | 'observe' | 'write' | 'execute' | 'create';

/**
 * Whether `operation` may target `path` in this object: Read/Observe need a readable resource,
 * Write a writable one (and an instance or resource path), Execute an executable resource
 * path, Create the object path. Unknown resources give `unknown-resource`. Returns the
 * problem, or undefined when allowed. Payloads are checked with `validateNode`.
 */
export function validateRequest(
  model: ObjectModel,
  path: LwM2mPath,
  operation: PathOperation,
): ValidationProblem | undefined {
  if (path.objectId !== model.id) {
    return problem(path, 'path-mismatch', `${path} is not in object ${model.id} (${model.name})`);
  }
  const levelProblem = (expected: string) =>
    problem(
      path,
      'wrong-level',
      `${describeTarget(path, model)}: ${operation} targets ${expected}, not a ${path.level.replace('-', ' ')}`,
    );

  if (operation === 'create') return path.isObject() ? undefined : levelProblem('an object');
  if (operation === 'execute' && !path.isResource()) return levelProblem('a resource');
  if (operation === 'write' && path.isObject()) return levelProblem('an object instance or resource');

  const resourceId = path.resourceId;
  if (resourceId === undefined) return undefined;
  const resource = model.resources.get(resourceId);
  if (resource === undefined) {
    return problem(
      path,
      'unknown-resource',
      `${describeTarget(path, model)}: object ${model.id} v${model.version} has no resource ${resourceId}`,
    );
  }
  const where = describeTarget(path, model, resource);
  if (path.isResourceInstance() && !resource.multiple) {
    return problem(path, 'multiplicity', `${where}: is single-instance, it has no resource instances`);
  }
  switch (operation) {
    case 'read':
    case 'observe':
      return resource.operations.read ? undefined : problem(path, 'not-readable', `${where}: is not readable`);
    case 'write':
      return resource.operations.write ? undefined : problem(path, 'not-writable', `${where}: is not writable`);
    case 'execute':
      return resource.operations.execute ? undefined : problem(path, 'not-executable', `${where}: is not executable`);
  }
}
