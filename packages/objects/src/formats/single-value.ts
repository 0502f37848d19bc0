import { CodecError } from '@lwm2m-ts/codec';
import type { LwM2mNode } from '../node/node';
import { Resource, ResourceInstance } from '../node/node';
import type { LwM2mValue } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';
import { checkNodeAtPath } from './node-leaves';

/** The value of a single resource or resource instance; other nodes throw a 4.06 `CodecError`. */
export function singleValueOf(node: LwM2mNode, path: LwM2mPath, format: string): LwM2mValue {
  checkNodeAtPath(node, path, format);
  if (node.kind === 'resource-instance') return node.value;
  if (node.kind === 'resource' && !node.multiple) return node.value;
  throw new CodecError(
    `${format} carries a single value only, not a ${node.kind === 'resource' ? 'multiple resource' : node.kind}`,
    {
      location: String(path),
      responseCode: 0x86,
    },
  );
}

/** Wraps a decoded value in the node `path` addresses (single resource or resource instance). */
export function singleValueNode(value: LwM2mValue, path: LwM2mPath, format: string): LwM2mNode {
  if (path.isResource()) return Resource.single(path.resourceId!, value);
  if (path.isResourceInstance()) return ResourceInstance.of(path.resourceInstanceId!, value);
  throw new CodecError(`${format} carries a single value only; ${path} is a ${path.level} path`, {
    location: String(path),
  });
}
