import { CodecError } from '../codec-error';

/**
 * LwM2M TLV (application/vnd.oma.lwm2m+tlv, content format 11542), OMA LwM2M TS Core 1.x
 * section 7.4.3. Each entry is: a type byte (bits 7-6 identifier type, bit 5 identifier width
 * 8/16 bits, bits 4-3 length-field width 0-3 bytes, bits 2-0 the length when that width is 0),
 * the identifier, the length, then the value. Object instances and multiple resources nest
 * further entries as their value.
 */
export type TlvEntry =
  | { readonly type: 'object-instance'; readonly id: number; readonly children: readonly TlvEntry[] }
  | { readonly type: 'multiple-resource'; readonly id: number; readonly children: readonly TlvEntry[] }
  | { readonly type: 'resource-instance'; readonly id: number; readonly value: Uint8Array }
  | { readonly type: 'resource'; readonly id: number; readonly value: Uint8Array };

export type TlvEntryType = TlvEntry['type'];

const TYPE_BITS: Record<TlvEntryType, number> = {
  'object-instance': 0b00,
  'resource-instance': 0b01,
  'multiple-resource': 0b10,
  resource: 0b11,
};
const TYPE_BY_BITS: readonly TlvEntryType[] = ['object-instance', 'resource-instance', 'multiple-resource', 'resource'];
const MAX_LENGTH = 0xffffff;
const MAX_DEPTH = 3;

function headerSize(id: number, length: number): number {
  return 1 + (id > 0xff ? 2 : 1) + (length < 8 ? 0 : length <= 0xff ? 1 : length <= 0xffff ? 2 : 3);
}

function contentSize(entry: TlvEntry): number {
  if ('value' in entry) return entry.value.length;
  let n = 0;
  for (const child of entry.children) n += entrySize(child);
  return n;
}

function entrySize(entry: TlvEntry): number {
  const length = contentSize(entry);
  return headerSize(entry.id, length) + length;
}

function checkEntry(entry: TlvEntry, depth: number): void {
  if (!Number.isInteger(entry.id) || entry.id < 0 || entry.id > 0xffff) {
    throw new CodecError(`TLV identifier ${entry.id} is out of range 0..65535`);
  }
  if ('children' in entry) {
    for (const child of entry.children) {
      const allowed =
        entry.type === 'object-instance'
          ? child.type === 'resource' || child.type === 'multiple-resource'
          : child.type === 'resource-instance';
      if (!allowed) throw new CodecError(`TLV ${entry.type} ${entry.id} cannot hold a ${child.type}`);
      checkEntry(child, depth + 1);
    }
  }
  if (contentSize(entry) > MAX_LENGTH) throw new CodecError(`TLV ${entry.type} ${entry.id} is longer than 16 MiB`);
}

/**
 * Encodes entries with the shortest forms: 8-bit identifiers below 256, the length in the type
 * byte below 8 bytes, else a 1, 2 or 3-byte length field. Throws `CodecError` if an id is out of
 * range, a value is over 16 MiB, or nesting is not object instance > resource > resource instance.
 */
export function encodeTlv(entries: readonly TlvEntry[]): Uint8Array {
  let total = 0;
  for (const e of entries) {
    checkEntry(e, 0);
    total += entrySize(e);
  }
  const out = new Uint8Array(total);
  let pos = 0;
  const write = (entry: TlvEntry): void => {
    const length = contentSize(entry);
    const wideId = entry.id > 0xff;
    const lengthBytes = length < 8 ? 0 : length <= 0xff ? 1 : length <= 0xffff ? 2 : 3;
    out[pos++] =
      (TYPE_BITS[entry.type] << 6) | (wideId ? 0x20 : 0) | (lengthBytes << 3) | (lengthBytes === 0 ? length : 0);
    if (wideId) out[pos++] = entry.id >> 8;
    out[pos++] = entry.id & 0xff;
    for (let i = lengthBytes - 1; i >= 0; i--) out[pos++] = (length >> (8 * i)) & 0xff;
    if ('value' in entry) {
      out.set(entry.value, pos);
      pos += entry.value.length;
    } else {
      for (const child of entry.children) write(child);
    }
  };
  for (const e of entries) write(e);
  return out;
}

/**
 * Decodes a TLV payload into entries; object instances and multiple resources are decoded
 * recursively into `children`. Throws `CodecError` with the byte offset of the offending entry on
 * truncation, a length overrunning its parent, or a child type its parent cannot hold.
 */
export function decodeTlv(payload: Uint8Array): TlvEntry[] {
  return decodeRange(payload, 0, payload.length, undefined, 0);
}

function decodeRange(
  bytes: Uint8Array,
  start: number,
  end: number,
  parent: TlvEntryType | undefined,
  depth: number,
): TlvEntry[] {
  if (depth > MAX_DEPTH) throw new CodecError('TLV nested too deeply', { offset: start });
  const entries: TlvEntry[] = [];
  let pos = start;
  while (pos < end) {
    const at = pos;
    const typeByte = bytes[pos++]!;
    const type = TYPE_BY_BITS[typeByte >> 6]!;
    const idBytes = typeByte & 0x20 ? 2 : 1;
    const lengthBytes = (typeByte >> 3) & 0x03;
    if (pos + idBytes + lengthBytes > end) {
      throw new CodecError(`TLV ${type} header is truncated`, { offset: at });
    }
    let id = bytes[pos++]!;
    if (idBytes === 2) id = (id << 8) | bytes[pos++]!;
    let length = typeByte & 0x07;
    if (lengthBytes > 0) {
      length = 0;
      for (let i = 0; i < lengthBytes; i++) length = (length << 8) | bytes[pos++]!;
    }
    if (pos + length > end) {
      throw new CodecError(`TLV ${type} ${id} declares ${length} bytes but only ${end - pos} remain`, { offset: at });
    }
    if (parent !== undefined) {
      const allowed =
        parent === 'object-instance'
          ? type === 'resource' || type === 'multiple-resource'
          : type === 'resource-instance';
      if (!allowed) throw new CodecError(`TLV ${parent} cannot hold a ${type}`, { offset: at });
    }
    if (type === 'object-instance' || type === 'multiple-resource') {
      entries.push({ type, id, children: decodeRange(bytes, pos, pos + length, type, depth + 1) });
    } else {
      entries.push({ type, id, value: bytes.slice(pos, pos + length) });
    }
    pos += length;
  }
  return entries;
}
