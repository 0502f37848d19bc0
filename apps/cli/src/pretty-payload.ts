/** Human-readable rendering of a response body by its Content-Format. */
import {
  ContentFormat,
  decodeSenmlCbor,
  decodeSenmlJson,
  decodeUtf8,
  parseLinkFormat,
  type ResolvedSenmlRecord,
  resolveSenml,
  type SenmlRecord,
} from '@lwm2m-ts/codec';
import { cborDiagnostic } from './cbor-diagnostic';

export function prettyPayload(payload: Uint8Array, contentFormat: number | undefined): string {
  if (payload.length === 0) return '';
  try {
    switch (contentFormat) {
      case ContentFormat.LINK_FORMAT:
        return prettyLinks(decodeUtf8(payload));
      case ContentFormat.JSON:
        return JSON.stringify(JSON.parse(decodeUtf8(payload)), null, 2);
      case ContentFormat.CBOR:
        return cborDiagnostic(payload);
      case ContentFormat.SENML_JSON:
        return prettySenml(decodeSenmlJson(payload));
      case ContentFormat.SENML_CBOR:
        return prettySenml(decodeSenmlCbor(payload));
      case ContentFormat.OCTET_STREAM:
      case ContentFormat.LWM2M_TLV:
        return hexDump(payload);
      default:
        return looksLikeText(payload) ? decodeUtf8(payload) : hexDump(payload);
    }
  } catch (err) {
    // A body that does not parse as its declared format is shown raw, with the reason.
    return `(not valid for its content format: ${(err as Error).message})\n${looksLikeText(payload) ? decodeUtf8(payload) : hexDump(payload)}`;
  }
}

/** One link per line: `</path>  rt="x"  ct=0  obs`. */
export function prettyLinks(text: string): string {
  return parseLinkFormat(text)
    .map((link) => {
      const attrs = link.attributes.map((a) =>
        a.value === true ? a.name : `${a.name}=${a.quoted ? JSON.stringify(a.value) : a.value}`,
      );
      return [`<${link.href}>`, ...attrs].join('  ');
    })
    .join('\n');
}

export function prettySenml(records: readonly SenmlRecord[]): string {
  const resolved: ResolvedSenmlRecord[] = resolveSenml(records);
  return resolved
    .map((r) => {
      const parts = [r.n, '=', senmlValue(r)];
      if (r.u) parts.push(r.u);
      if (r.t !== undefined) parts.push(`@ t=${r.t}`);
      return parts.join(' ');
    })
    .join('\n');
}

function senmlValue(r: ResolvedSenmlRecord): string {
  if (r.v !== undefined) return String(r.v);
  if (r.vs !== undefined) return JSON.stringify(r.vs);
  if (r.vb !== undefined) return String(r.vb);
  if (r.vd !== undefined) return `h'${Array.from(r.vd, (x) => x.toString(16).padStart(2, '0')).join('')}'`;
  if (r.vlo !== undefined) return `objlnk ${r.vlo}`;
  if (r.s !== undefined) return `sum ${r.s}`;
  return '(no value)';
}

export function looksLikeText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}
