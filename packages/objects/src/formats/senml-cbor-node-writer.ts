import { CborWriter } from '@lwm2m-ts/codec';
import type { LwM2mNode } from '../node/node';
import { formatObjectLink, type LwM2mValue } from '../node/value';
import type { LwM2mPath } from '../path/lwm2m-path';

/**
 * Writes SenML CBOR straight from nodes, without building `SenmlRecord` objects first. Produces
 * exactly the bytes `encodeSenmlCbor` gives for the records `senml-format` would build (a test
 * holds them equal); it exists because the record objects cost more than the CBOR itself.
 */
const BN = -2;
const N = 0;

function writeValue(w: CborWriter, value: LwM2mValue): void {
  switch (value.type) {
    case 'string':
    case 'corelnk':
      w.integer(3);
      w.text(value.value);
      return;
    case 'integer':
    case 'unsigned':
    case 'time':
      w.integer(2);
      if (typeof value.value === 'bigint') w.integer(value.value);
      else w.number(value.value);
      return;
    case 'float':
      w.integer(2);
      w.number(value.value);
      return;
    case 'boolean':
      w.integer(4);
      w.boolean(value.value);
      return;
    case 'opaque':
      w.integer(8);
      w.bytes(value.value);
      return;
    case 'objlnk':
      w.text('vlo');
      w.text(formatObjectLink(value.value));
      return;
  }
}

function writeRecord(w: CborWriter, bn: string | undefined, n: string, value: LwM2mValue): void {
  w.mapHeader((bn === undefined ? 1 : 2) + (n === '' ? 0 : 1));
  if (bn !== undefined) {
    w.integer(BN);
    w.text(bn);
  }
  if (n !== '') {
    w.integer(N);
    w.text(n);
  }
  writeValue(w, value);
}

function countValues(node: LwM2mNode): number {
  switch (node.kind) {
    case 'resource-instance':
      return 1;
    case 'resource':
      return node.multiple ? node.instances.size : 1;
    case 'object-instance': {
      let n = 0;
      for (const r of node.resources.values()) n += countValues(r);
      return n;
    }
    case 'object': {
      let n = 0;
      for (const i of node.instances.values()) n += countValues(i);
      return n;
    }
  }
}

/** Writes one record per value under `node`; `state.bn` goes on the first record written. */
function writeValues(w: CborWriter, node: LwM2mNode, name: string, state: { bn: string | undefined }): void {
  const prefix = name === '' || name.endsWith('/') ? name : `${name}/`;
  const emit = (n: string, value: LwM2mValue) => {
    writeRecord(w, state.bn, n, value);
    state.bn = undefined;
  };
  switch (node.kind) {
    case 'resource-instance':
      emit(name, node.value);
      return;
    case 'resource':
      if (!node.multiple) emit(name, node.value);
      else for (const ri of node.instances.values()) emit(prefix + ri.id, ri.value);
      return;
    case 'object-instance':
      for (const r of node.resources.values()) writeValues(w, r, prefix + r.id, state);
      return;
    case 'object':
      for (const oi of node.instances.values()) writeValues(w, oi, prefix + oi.id, state);
      return;
  }
}

/** SenML CBOR for a node at `path` (caller has checked that they match). */
export function writeSenmlCborNode(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  const count = countValues(node);
  const w = new CborWriter(count * 24 + 16);
  w.arrayHeader(count);
  if (node.kind === 'resource-instance' || (node.kind === 'resource' && !node.multiple)) {
    writeRecord(w, path.toString(), '', node.value);
  } else {
    writeValues(w, node, '', { bn: `${path}/` });
  }
  return w.finish();
}

/** SenML CBOR composite body: full names, no base name (caller has checked every entry). */
export function writeSenmlCborComposite(entries: readonly (readonly [LwM2mPath, LwM2mNode])[]): Uint8Array {
  let count = 0;
  for (const [, node] of entries) count += countValues(node);
  const w = new CborWriter(count * 32 + 16);
  w.arrayHeader(count);
  const state = { bn: undefined };
  for (const [path, node] of entries) writeValues(w, node, path.toString(), state);
  return w.finish();
}
