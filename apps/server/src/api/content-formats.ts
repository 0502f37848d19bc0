/** The format names the REST API accepts (`?format=`), mapped to CoAP content-format numbers. */
import { ContentFormat } from '@lwm2m-ts/codec';

export const FORMAT_NAMES = [
  'text',
  'opaque',
  'tlv',
  'json',
  'senml-json',
  'senml-cbor',
  'lwm2m-cbor',
  'cbor',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

const BY_NAME: Record<FormatName, number> = {
  text: ContentFormat.TEXT_PLAIN,
  opaque: ContentFormat.OCTET_STREAM,
  tlv: ContentFormat.LWM2M_TLV,
  json: ContentFormat.LWM2M_JSON,
  'senml-json': ContentFormat.SENML_JSON,
  'senml-cbor': ContentFormat.SENML_CBOR,
  'lwm2m-cbor': ContentFormat.LWM2M_CBOR,
  cbor: ContentFormat.CBOR,
};

export function contentFormatOf(name: FormatName | undefined): number | undefined {
  return name === undefined ? undefined : BY_NAME[name];
}
