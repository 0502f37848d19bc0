/** A response (or notification) as text for people or as one JSON object for scripts. */
import {
  type CoapMessage,
  ContentFormat,
  decodeSenmlCbor,
  decodeSenmlJson,
  decodeUtf8,
  formatCode,
  getContentFormat,
  getObserve,
  parseLinkFormat,
} from '@lwm2m-ts/codec';
import { cborDiagnostic } from './cbor-diagnostic';
import { describeCode } from './code-names';
import { contentFormatName } from './content-formats';
import { describeMessage } from './message-trace';
import { looksLikeText, prettyPayload } from './pretty-payload';

export interface ResponseJson {
  code: string;
  status: string;
  observe?: number;
  contentFormat?: number;
  mediaType?: string;
  size: number;
  /** Parsed body: JSON value, link objects, SenML records, CBOR diagnostic, text, or base64 for bytes. */
  payload?: unknown;
  payloadEncoding?: 'json' | 'link-format' | 'senml' | 'cbor-diagnostic' | 'text' | 'base64';
  message: string;
}

export function responseJson(m: CoapMessage): ResponseJson {
  const cf = getContentFormat(m);
  const out: ResponseJson = {
    code: formatCode(m.code),
    status: describeCode(m.code).slice(5),
    size: m.payload.length,
    message: describeMessage(m),
  };
  const obs = getObserve(m);
  if (obs !== undefined) out.observe = obs;
  if (cf !== undefined) {
    out.contentFormat = cf;
    const name = contentFormatName(cf);
    if (name) out.mediaType = name;
  }
  if (m.payload.length > 0) Object.assign(out, jsonPayload(m.payload, cf));
  return out;
}

function jsonPayload(p: Uint8Array, cf: number | undefined): Pick<ResponseJson, 'payload' | 'payloadEncoding'> {
  try {
    switch (cf) {
      case ContentFormat.JSON:
        return { payload: JSON.parse(decodeUtf8(p)), payloadEncoding: 'json' };
      case ContentFormat.LINK_FORMAT:
        return {
          payload: parseLinkFormat(decodeUtf8(p)).map((l) => ({
            href: l.href,
            attributes: Object.fromEntries(l.attributes.map((a) => [a.name, a.value])),
          })),
          payloadEncoding: 'link-format',
        };
      case ContentFormat.SENML_JSON:
        return { payload: senmlJsonSafe(decodeSenmlJson(p)), payloadEncoding: 'senml' };
      case ContentFormat.SENML_CBOR:
        return { payload: senmlJsonSafe(decodeSenmlCbor(p)), payloadEncoding: 'senml' };
      case ContentFormat.CBOR:
        return { payload: cborDiagnostic(p), payloadEncoding: 'cbor-diagnostic' };
    }
  } catch {
    // not what its Content-Format says: fall through to text/base64
  }
  return looksLikeText(p)
    ? { payload: decodeUtf8(p), payloadEncoding: 'text' }
    : { payload: Buffer.from(p).toString('base64'), payloadEncoding: 'base64' };
}

/** bigint -> number/string and bytes -> base64url, so JSON.stringify works. */
function senmlJsonSafe(records: readonly object[]): unknown {
  return JSON.parse(
    JSON.stringify(records, (_k, v: unknown) =>
      typeof v === 'bigint'
        ? Number.isSafeInteger(Number(v))
          ? Number(v)
          : v.toString()
        : v instanceof Uint8Array
          ? Buffer.from(v).toString('base64url')
          : v,
    ),
  );
}

/** Text output: the pretty body (what most callers pipe on). */
export function responseText(m: CoapMessage): string {
  return prettyPayload(m.payload, getContentFormat(m));
}
