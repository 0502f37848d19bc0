import type { ObjectModel, ResourceModel } from '../model/types';
import {
  type LwM2mNode,
  type LwM2mObject,
  nodePathMismatch,
  type ObjectInstance,
  type Resource,
  type ResourceInstance,
} from '../node/node';
import type { LwM2mPath } from '../path/lwm2m-path';
import { describeTarget } from './describe-target';
import { validateValue } from './validate-value';
import { problem, type ValidationProblem } from './validation-problem';

/**
 * What the node is for; it decides which operations each resource must allow and whether
 * mandatory resources must be present.
 * - `read`: content of a Read/Observe answer: every resource must be readable.
 * - `write-update`: a partial Write: every resource writable.
 * - `write-replace`: a replacing Write: writable, and on an object instance every mandatory
 *   writable resource present.
 * - `create`: a Create: every mandatory writable resource present; read-only resources may be
 *   given initial values, so writability is not required.
 * - `bootstrap-write`: the Bootstrap-Server may write any resource; types and ranges still apply.
 */
export type NodeOperation = 'read' | 'write-update' | 'write-replace' | 'create' | 'bootstrap-write';

/**
 * Checks a node against its object model: structure (levels, single vs multiple), value types
 * and ranges, operations the resources allow, and mandatory resources on create/replace.
 * `path` is where the node sits (`/3/0` for an instance); for `create` it may also be the
 * object path (`/3303`) with the new instance as node. Returns every problem found, each naming
 * the failing node; an empty array means the node fits.
 */
export function validateNode(
  model: ObjectModel,
  path: LwM2mPath,
  node: LwM2mNode,
  operation: NodeOperation,
): ValidationProblem[] {
  if (path.objectId !== model.id) {
    return [problem(path, 'path-mismatch', `${path} is not in object ${model.id} (${model.name})`)];
  }
  const at = operation === 'create' && path.isObject() && node.kind === 'object-instance' ? path.child(node.id) : path;
  const mismatch = nodePathMismatch(at, node);
  if (mismatch !== undefined) return [problem(at, 'path-mismatch', mismatch)];

  const check = new NodeCheck(model, operation);
  switch (node.kind) {
    case 'object':
      check.object(at, node);
      break;
    case 'object-instance':
      check.instance(at, node);
      break;
    case 'resource':
      check.resource(at, node);
      break;
    case 'resource-instance':
      check.resourceInstance(at, node);
      break;
  }
  return check.problems;
}

class NodeCheck {
  readonly problems: ValidationProblem[] = [];

  constructor(
    private readonly model: ObjectModel,
    private readonly operation: NodeOperation,
  ) {}

  object(path: LwM2mPath, node: LwM2mObject): void {
    if (!this.model.multiple && node.instances.size > 1) {
      this.fail(path, 'multiplicity', `is single-instance, got ${node.instances.size} instances`);
    }
    for (const instance of node.instances.values()) this.instance(path.child(instance.id), instance);
  }

  instance(path: LwM2mPath, node: ObjectInstance): void {
    for (const resource of node.resources.values()) this.resource(path.child(resource.id), resource);
    const complete = this.operation === 'create' || this.operation === 'write-replace';
    if (!complete) return;
    for (const resource of this.model.resources.values()) {
      if (resource.mandatory && resource.operations.write && !node.resources.has(resource.id)) {
        this.fail(path.child(resource.id), 'missing-mandatory', `is mandatory and writable but missing`, resource);
      }
    }
  }

  resource(path: LwM2mPath, node: Resource): void {
    const resource = this.known(path, node.id);
    if (resource === undefined || !this.allowed(path, resource)) return;
    if (node.multiple !== resource.multiple) {
      this.fail(
        path,
        'multiplicity',
        `is ${resource.multiple ? 'multiple' : 'single'}-instance, got a ${node.multiple ? 'multiple' : 'single'} resource`,
        resource,
      );
    }
    if (!node.multiple) {
      this.value(path, resource, node.value);
      return;
    }
    for (const instance of node.instances.values()) this.value(path.child(instance.id), resource, instance.value);
  }

  resourceInstance(path: LwM2mPath, node: ResourceInstance): void {
    const resource = this.known(path.parent(), path.resourceId ?? -1);
    if (resource === undefined || !this.allowed(path, resource)) return;
    if (!resource.multiple) {
      this.fail(path, 'multiplicity', 'is single-instance, it has no resource instances', resource);
      return;
    }
    this.value(path, resource, node.value);
  }

  private known(path: LwM2mPath, resourceId: number): ResourceModel | undefined {
    const resource = this.model.resources.get(resourceId);
    if (resource === undefined) {
      this.problems.push(
        problem(
          path,
          'unknown-resource',
          `${describeTarget(path, this.model)}: object ${this.model.id} v${this.model.version} has no resource ${resourceId}`,
        ),
      );
    }
    return resource;
  }

  /** Whether the operation may touch the resource; records the problem when not. */
  private allowed(path: LwM2mPath, resource: ResourceModel): boolean {
    switch (this.operation) {
      case 'read':
        if (resource.operations.read) return true;
        this.fail(path, 'not-readable', 'is not readable', resource);
        return false;
      case 'create':
      case 'bootstrap-write':
        // Create may set read-only resources of the new instance (e.g. /1/x/0 Short Server ID).
        return true;
      default:
        if (resource.operations.write) return true;
        this.fail(path, 'not-writable', 'is not writable', resource);
        return false;
    }
  }

  private value(path: LwM2mPath, resource: ResourceModel, value: Parameters<typeof validateValue>[1]): void {
    const found = validateValue(resource, value);
    if (found !== undefined) this.fail(path, found.code, found.message, resource);
  }

  private fail(path: LwM2mPath, code: ValidationProblem['code'], detail: string, resource?: ResourceModel): void {
    this.problems.push(problem(path, code, `${describeTarget(path, this.model, resource)}: ${detail}`));
  }
}
