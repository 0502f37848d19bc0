/** Content-Format names accepted by --content-format / --accept and shown in output. */
import { ContentFormat, ContentFormatRegistry } from '@lwm2m-ts/codec';

const registry = new ContentFormatRegistry();

const ALIASES: Readonly<Record<string, number>> = {
  text: ContentFormat.TEXT_PLAIN,
  link: ContentFormat.LINK_FORMAT,
  'link-format': ContentFormat.LINK_FORMAT,
  xml: ContentFormat.XML,
  octet: ContentFormat.OCTET_STREAM,
  binary: ContentFormat.OCTET_STREAM,
  json: ContentFormat.JSON,
  cbor: ContentFormat.CBOR,
  'senml+json': ContentFormat.SENML_JSON,
  'senml-json': ContentFormat.SENML_JSON,
  'senml+cbor': ContentFormat.SENML_CBOR,
  'senml-cbor': ContentFormat.SENML_CBOR,
  tlv: ContentFormat.LWM2M_TLV,
  'lwm2m+json': ContentFormat.LWM2M_JSON,
  'lwm2m+cbor': ContentFormat.LWM2M_CBOR,
};

/** "50", "json", "application/json" -> 50. Throws with the accepted forms on anything else. */
export function parseContentFormat(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n <= 0xffff) return n;
  }
  const alias = ALIASES[t];
  if (alias !== undefined) return alias;
  const n = registry.numberOf(t);
  if (n !== undefined) return n;
  throw new Error(
    `unknown content format "${text}": use a number (0..65535), a media type (application/json) or one of ${Object.keys(ALIASES).join(', ')}`,
  );
}

export function contentFormatName(n: number | undefined): string | undefined {
  return n === undefined ? undefined : (registry.mediaTypeOf(n) ?? `content-format ${n}`);
}
