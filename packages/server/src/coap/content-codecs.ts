/**
 * Which node codecs the adapter can use (keyed by content format) and which format to pick when
 * the caller did not choose one. The objects package provides the codecs; users may add more.
 */
import { ContentFormat } from '@lwm2m-ts/codec';
import {
  createNodeCodecRegistry,
  type ModelRegistry,
  type NodeCodec,
  type ResourceModelLookup,
} from '@lwm2m-ts/objects';
import { registrationLinks } from '../registration/object-links';
import type { Lwm2mVersion } from '../registration/registration';

/** Content format -> codec (`get` is the only thing the adapter needs; a Map fits). */
export interface ContentCodecs {
  get(format: number): NodeCodec | undefined;
}

/** Every codec `@lwm2m-ts/objects` ships (text, opaque, TLV, SenML JSON/CBOR, LwM2M CBOR/JSON). */
export const defaultContentCodecs = (): ContentCodecs => createNodeCodecRegistry();

/** Formats tried, best first, when the client's registration does not narrow the choice. */
const PREFERENCE_1_0 = [ContentFormat.LWM2M_TLV, ContentFormat.LWM2M_JSON, ContentFormat.TEXT_PLAIN];
const PREFERENCE_1_1 = [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.LWM2M_TLV];
const PREFERENCE_1_2 = [
  ContentFormat.LWM2M_CBOR,
  ContentFormat.SENML_CBOR,
  ContentFormat.SENML_JSON,
  ContentFormat.LWM2M_TLV,
];
const COMPOSITE = [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.LWM2M_CBOR];

export interface FormatTarget {
  readonly lwm2mVersion?: Lwm2mVersion;
  readonly objectLinks?: string;
}

function declaredFormats(target: FormatTarget): readonly number[] {
  if (!target.objectLinks) return [];
  try {
    return registrationLinks(target as { objectLinks: string }).contentFormats;
  } catch {
    return [];
  }
}

/** The format to write a node with: what the client declared (1.1 `ct`), else by LwM2M version. */
export function chooseWriteFormat(target: FormatTarget, codecs: ContentCodecs, composite = false): number {
  const preference = composite
    ? COMPOSITE
    : target.lwm2mVersion === '1.2'
      ? PREFERENCE_1_2
      : target.lwm2mVersion === '1.1'
        ? PREFERENCE_1_1
        : PREFERENCE_1_0;
  const declared = declaredFormats(target);
  const usable = (f: number) => codecs.get(f) !== undefined && (!composite || codecs.get(f)?.composite !== undefined);
  const pick =
    preference.find((f) => usable(f) && (declared.length === 0 || declared.includes(f))) ?? preference.find(usable);
  if (pick === undefined) throw new Error('no usable content format codec is registered');
  return pick;
}

/** A resource model lookup that honours the object versions the client registered (`ver`). */
export function modelLookupFor(
  models: ModelRegistry | undefined,
  target: FormatTarget,
): ResourceModelLookup | undefined {
  if (!models) return undefined;
  let versions: ReadonlyMap<number, { version: string }> | undefined;
  try {
    versions = target.objectLinks ? registrationLinks(target as { objectLinks: string }).objects : undefined;
  } catch {
    versions = undefined;
  }
  return (objectId, resourceId) => {
    const version = versions?.get(objectId)?.version;
    const model = (version !== undefined ? models.get(objectId, version) : undefined) ?? models.get(objectId);
    return model?.resources.get(resourceId);
  };
}
