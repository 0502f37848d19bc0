/**
 * Security context from JSON (the CLI's `--oscore-context FILE`):
 * `{ "senderId": "", "recipientId": "01", "masterSecret": "0102...", "masterSalt": "9e7c...", "idContext": "37cb..." }`
 * with hex strings. Optional: "aeadAlgorithm" (10), "replayWindow" (32).
 */
import { readFileSync } from 'node:fs';
import { hexToBytes } from './bytes';
import { OscoreError } from './oscore-error';
import { SecurityContext, type SecurityContextInput } from './security-context';

export interface OscoreContextJson {
  readonly senderId: string;
  readonly recipientId: string;
  readonly masterSecret: string;
  readonly masterSalt?: string;
  readonly idContext?: string;
  readonly aeadAlgorithm?: number;
  readonly replayWindow?: number;
}

const KNOWN = new Set([
  'senderId',
  'recipientId',
  'masterSecret',
  'masterSalt',
  'idContext',
  'aeadAlgorithm',
  'replayWindow',
]);

/** Validates and converts; throws OscoreError('invalid-config') naming the bad field. */
export function parseOscoreContextJson(json: unknown, source = 'OSCORE context'): SecurityContextInput {
  const bad = (msg: string): never => {
    throw new OscoreError('invalid-config', `${source}: ${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('expected a JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) bad(`unknown field "${k}" (known: ${[...KNOWN].join(', ')})`);
  const hex = (field: string, required: boolean): Uint8Array | undefined => {
    const v = o[field];
    if (v === undefined) return required ? bad(`"${field}" is required (hex string, "" for empty)`) : undefined;
    if (typeof v !== 'string') return bad(`"${field}" must be a hex string`);
    try {
      return hexToBytes(v, `"${field}"`);
    } catch (err) {
      return bad((err as Error).message);
    }
  };
  const senderId = hex('senderId', true)!;
  const recipientId = hex('recipientId', true)!;
  const masterSecret = hex('masterSecret', true)!;
  if (masterSecret.length === 0) bad('"masterSecret" must not be empty');
  if (senderId.length > 7 || recipientId.length > 7) bad('"senderId"/"recipientId" must be at most 7 bytes');
  const masterSalt = hex('masterSalt', false);
  const idContext = hex('idContext', false);
  const alg = o.aeadAlgorithm;
  if (alg !== undefined && alg !== 10) bad('"aeadAlgorithm" must be 10 (AES-CCM-16-64-128), the only one implemented');
  const rw = o.replayWindow;
  if (rw !== undefined && (typeof rw !== 'number' || !Number.isInteger(rw) || rw < 1))
    bad('"replayWindow" must be a positive integer');
  return {
    senderId,
    recipientId,
    masterSecret,
    ...(masterSalt ? { masterSalt } : {}),
    ...(idContext ? { idContext } : {}),
    ...(typeof rw === 'number' ? { replayWindowSize: rw } : {}),
  };
}

/** Reads a JSON context file and derives the context. `extra` adds e.g. a sequence number store. */
export function loadOscoreContextFile(path: string, extra: Partial<SecurityContextInput> = {}): SecurityContext {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OscoreError('invalid-config', `cannot read OSCORE context file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new OscoreError('invalid-config', `${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return new SecurityContext({ ...parseOscoreContextJson(json, path), ...extra });
}
