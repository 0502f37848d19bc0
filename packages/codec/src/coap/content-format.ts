/**
 * CoAP Content-Formats (IANA "CoAP Content-Formats" registry, RFC 7252 §12.3) and a registry
 * mapping numbers <-> media types (with parameters), open to registration per instance.
 */
import { CodecError } from '../codec-error';

export const ContentFormat = {
  TEXT_PLAIN: 0,
  COSE_ENCRYPT0: 16,
  COSE_MAC0: 17,
  COSE_SIGN1: 18,
  ACE_CBOR: 19,
  IMAGE_GIF: 21,
  IMAGE_JPEG: 22,
  IMAGE_PNG: 23,
  LINK_FORMAT: 40,
  XML: 41,
  OCTET_STREAM: 42,
  EXI: 47,
  JSON: 50,
  JSON_PATCH: 51,
  MERGE_PATCH: 52,
  CBOR: 60,
  CWT: 61,
  MULTIPART_CORE: 62,
  CBOR_SEQ: 63,
  COSE_ENCRYPT: 96,
  COSE_MAC: 97,
  COSE_SIGN: 98,
  COSE_KEY: 101,
  COSE_KEY_SET: 102,
  SENML_JSON: 110,
  SENSML_JSON: 111,
  SENML_CBOR: 112,
  SENSML_CBOR: 113,
  SENML_EXI: 114,
  SENSML_EXI: 115,
  COAP_GROUP_JSON: 256,
  DOTS_CBOR: 271,
  MISSING_BLOCKS_CBOR_SEQ: 272,
  PKCS7_SERVER_GENERATED_KEY: 280,
  PKCS7_CERTS_ONLY: 281,
  PKCS8: 284,
  CSRATTRS: 285,
  PKCS10: 286,
  PKIX_CERT: 287,
  SENML_XML: 310,
  SENSML_XML: 311,
  SENML_ETCH_JSON: 320,
  SENML_ETCH_CBOR: 322,
  TD_JSON: 432,
  OCF_CBOR: 10000,
  OSCORE: 10001,
  LWM2M_TLV: 11542,
  LWM2M_JSON: 11543,
  LWM2M_CBOR: 11544,
} as const;
export type ContentFormat = number;

/** [number, media type] pairs of the IANA registry this stack ships with. */
export const STANDARD_CONTENT_FORMATS: readonly (readonly [number, string])[] = Object.freeze([
  [0, 'text/plain; charset=utf-8'],
  [16, 'application/cose; cose-type="cose-encrypt0"'],
  [17, 'application/cose; cose-type="cose-mac0"'],
  [18, 'application/cose; cose-type="cose-sign1"'],
  [19, 'application/ace+cbor'],
  [21, 'image/gif'],
  [22, 'image/jpeg'],
  [23, 'image/png'],
  [40, 'application/link-format'],
  [41, 'application/xml'],
  [42, 'application/octet-stream'],
  [47, 'application/exi'],
  [50, 'application/json'],
  [51, 'application/json-patch+json'],
  [52, 'application/merge-patch+json'],
  [60, 'application/cbor'],
  [61, 'application/cwt'],
  [62, 'application/multipart-core'],
  [63, 'application/cbor-seq'],
  [96, 'application/cose; cose-type="cose-encrypt"'],
  [97, 'application/cose; cose-type="cose-mac"'],
  [98, 'application/cose; cose-type="cose-sign"'],
  [101, 'application/cose-key'],
  [102, 'application/cose-key-set'],
  [110, 'application/senml+json'],
  [111, 'application/sensml+json'],
  [112, 'application/senml+cbor'],
  [113, 'application/sensml+cbor'],
  [114, 'application/senml-exi'],
  [115, 'application/sensml-exi'],
  [256, 'application/coap-group+json'],
  [271, 'application/dots+cbor'],
  [272, 'application/missing-blocks+cbor-seq'],
  [280, 'application/pkcs7-mime; smime-type=server-generated-key'],
  [281, 'application/pkcs7-mime; smime-type=certs-only'],
  [284, 'application/pkcs8'],
  [285, 'application/csrattrs'],
  [286, 'application/pkcs10'],
  [287, 'application/pkix-cert'],
  [310, 'application/senml+xml'],
  [311, 'application/sensml+xml'],
  [320, 'application/senml-etch+json'],
  [322, 'application/senml-etch+cbor'],
  [432, 'application/td+json'],
  [10000, 'application/vnd.ocf+cbor'],
  [10001, 'application/oscore'],
  [11542, 'application/vnd.oma.lwm2m+tlv'],
  [11543, 'application/vnd.oma.lwm2m+json'],
  [11544, 'application/vnd.oma.lwm2m+cbor'],
]);

/** Lower-cases type and parameter names and drops optional whitespace around ';' and '='. */
export function normalizeMediaType(mediaType: string): string {
  return mediaType
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, i) => {
      if (i === 0) return part.toLowerCase();
      const eq = part.indexOf('=');
      return eq < 0 ? part.toLowerCase() : `${part.slice(0, eq).trim().toLowerCase()}=${part.slice(eq + 1).trim()}`;
    })
    .join('; ');
}

export class ContentFormatRegistry {
  readonly #byNumber = new Map<number, string>();
  readonly #byType = new Map<string, number>();

  /** Starts with STANDARD_CONTENT_FORMATS unless given another list. */
  constructor(entries: Iterable<readonly [number, string]> = STANDARD_CONTENT_FORMATS) {
    for (const [n, t] of entries) this.register(n, t);
  }

  /** Adds or replaces a mapping (number 0..65535). */
  register(number: number, mediaType: string): this {
    if (!Number.isInteger(number) || number < 0 || number > 0xffff) {
      throw new CodecError(`content-format out of range: ${number}`);
    }
    const old = this.#byNumber.get(number);
    if (old !== undefined) this.#byType.delete(old);
    const key = normalizeMediaType(mediaType);
    this.#byNumber.set(number, key);
    this.#byType.set(key, number);
    return this;
  }

  mediaTypeOf(number: number): string | undefined {
    return this.#byNumber.get(number);
  }

  /** Number for a media type ("application/json", "text/plain;charset=utf-8"). */
  numberOf(mediaType: string): number | undefined {
    const key = normalizeMediaType(mediaType);
    const n = this.#byType.get(key);
    if (n !== undefined || key !== 'text/plain') return n;
    return this.#byType.get('text/plain; charset=utf-8');
  }

  has(number: number): boolean {
    return this.#byNumber.has(number);
  }

  entries(): [number, string][] {
    return [...this.#byNumber.entries()].sort((a, b) => a[0] - b[0]);
  }
}
