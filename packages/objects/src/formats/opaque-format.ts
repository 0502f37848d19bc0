import { CodecError, ContentFormat } from '@lwm2m-ts/codec';
import type { ResourceModelLookup } from '../model/types';
import type { LwM2mNode } from '../node/node';
import { LwM2mValue } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';
import type { NodeCodec } from './node-codec';
import { singleValueNode, singleValueOf } from './single-value';
import { modelTypeAt } from './value-typing';

const NAME = 'application/octet-stream';

/** Opaque (content format 42): the raw bytes of one opaque resource value. */
export const opaqueNodeCodec: NodeCodec = {
  contentFormat: ContentFormat.OCTET_STREAM,
  name: NAME,
  encode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
    const value = singleValueOf(node, path, NAME);
    if (value.type !== 'opaque') {
      throw new CodecError(`${NAME} carries opaque values only, ${path} is ${value.type}`, {
        location: String(path),
        responseCode: 0x86,
      });
    }
    return value.value.slice();
  },
  decode(payload: Uint8Array, path: LwM2mPath, lookup?: ResourceModelLookup): LwM2mNode {
    const type = modelTypeAt(path, lookup);
    if (type !== undefined && type !== 'opaque') {
      throw new CodecError(`${NAME} cannot carry ${type} resource ${path}`, { location: String(path) });
    }
    return singleValueNode(LwM2mValue.opaque(payload.slice()), path, NAME);
  },
};
