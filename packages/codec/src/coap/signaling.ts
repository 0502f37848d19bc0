/**
 * RFC 8323 §5 signaling messages (7.01 CSM, 7.02 Ping, 7.03 Pong, 7.04 Release, 7.05 Abort)
 * and their options, whose numbers are scoped to the signaling code.
 */
import { CoapCode, type CoapMessage, createMessage } from './message';
import { SignalingOption } from './option-numbers';
import { type OptionDefinition, OptionRegistry } from './option-registry';
import { decodeUint, decodeUtf8, encodeUtf8 } from './option-values';
import { createOption, getOption, hasOption } from './options';

const EMPTY: Uint8Array = new Uint8Array(0);

/** RFC 8323 §5.3.1: the base value every peer assumes before a CSM arrives. */
export const DEFAULT_MAX_MESSAGE_SIZE = 1152;

export interface CsmFields {
  readonly maxMessageSize?: number;
  readonly blockWiseTransfer?: boolean;
}

export function createCsm(fields: CsmFields = {}, token: Uint8Array = EMPTY): CoapMessage {
  const options = [];
  if (fields.maxMessageSize !== undefined) {
    options.push(createOption(SignalingOption.MAX_MESSAGE_SIZE, fields.maxMessageSize));
  }
  if (fields.blockWiseTransfer) options.push(createOption(SignalingOption.BLOCK_WISE_TRANSFER));
  return createMessage({ code: CoapCode.CSM, token, options });
}

export function readCsm(msg: CoapMessage): CsmFields {
  const mms = getOption(msg, SignalingOption.MAX_MESSAGE_SIZE);
  return {
    ...(mms !== undefined ? { maxMessageSize: decodeUint(mms) } : {}),
    blockWiseTransfer: hasOption(msg, SignalingOption.BLOCK_WISE_TRANSFER),
  };
}

export const createPing = (custody = false, token: Uint8Array = EMPTY): CoapMessage =>
  createMessage({ code: CoapCode.PING, token, options: custody ? [createOption(SignalingOption.CUSTODY)] : [] });

export const createPong = (custody = false, token: Uint8Array = EMPTY): CoapMessage =>
  createMessage({ code: CoapCode.PONG, token, options: custody ? [createOption(SignalingOption.CUSTODY)] : [] });

export const hasCustody = (msg: CoapMessage): boolean => hasOption(msg, SignalingOption.CUSTODY);

export interface ReleaseFields {
  /** Alternative-Address (repeatable string option, e.g. "coap+tcp://[::1]:5700"). */
  readonly alternativeAddresses?: readonly string[];
  /** Hold-Off in seconds. */
  readonly holdOff?: number;
  readonly diagnostic?: string;
}

export function createRelease(fields: ReleaseFields = {}, token: Uint8Array = EMPTY): CoapMessage {
  const options = (fields.alternativeAddresses ?? []).map((a) => createOption(SignalingOption.ALTERNATIVE_ADDRESS, a));
  if (fields.holdOff !== undefined) options.push(createOption(SignalingOption.HOLD_OFF, fields.holdOff));
  const payload = fields.diagnostic ? encodeUtf8(fields.diagnostic) : EMPTY;
  return createMessage({ code: CoapCode.RELEASE, token, options, payload });
}

export function readRelease(msg: CoapMessage): ReleaseFields {
  const holdOff = getOption(msg, SignalingOption.HOLD_OFF);
  return {
    alternativeAddresses: msg.options
      .filter((o) => o.number === SignalingOption.ALTERNATIVE_ADDRESS)
      .map((o) => decodeUtf8(o.value)),
    ...(holdOff !== undefined ? { holdOff: decodeUint(holdOff) } : {}),
    ...(msg.payload.length > 0 ? { diagnostic: decodeUtf8(msg.payload) } : {}),
  };
}

export interface AbortFields {
  /** The CSM option number that caused the abort. */
  readonly badCsmOption?: number;
  readonly diagnostic?: string;
}

export function createAbort(fields: AbortFields = {}, token: Uint8Array = EMPTY): CoapMessage {
  const options =
    fields.badCsmOption !== undefined ? [createOption(SignalingOption.BAD_CSM_OPTION, fields.badCsmOption)] : [];
  const payload = fields.diagnostic ? encodeUtf8(fields.diagnostic) : EMPTY;
  return createMessage({ code: CoapCode.ABORT, token, options, payload });
}

export function readAbort(msg: CoapMessage): AbortFields {
  const bad = getOption(msg, SignalingOption.BAD_CSM_OPTION);
  return {
    ...(bad !== undefined ? { badCsmOption: decodeUint(bad) } : {}),
    ...(msg.payload.length > 0 ? { diagnostic: decodeUtf8(msg.payload) } : {}),
  };
}

const signalingDefinitions: Readonly<Record<number, readonly OptionDefinition[]>> = {
  [CoapCode.CSM]: [
    { number: 2, name: 'Max-Message-Size', format: 'uint', repeatable: false, minLength: 0, maxLength: 4 },
    { number: 4, name: 'Block-Wise-Transfer', format: 'empty', repeatable: false, minLength: 0, maxLength: 0 },
  ],
  [CoapCode.PING]: [{ number: 2, name: 'Custody', format: 'empty', repeatable: false, minLength: 0, maxLength: 0 }],
  [CoapCode.PONG]: [{ number: 2, name: 'Custody', format: 'empty', repeatable: false, minLength: 0, maxLength: 0 }],
  [CoapCode.RELEASE]: [
    { number: 2, name: 'Alternative-Address', format: 'string', repeatable: true, minLength: 1, maxLength: 255 },
    { number: 4, name: 'Hold-Off', format: 'uint', repeatable: false, minLength: 0, maxLength: 3 },
  ],
  [CoapCode.ABORT]: [
    { number: 2, name: 'Bad-CSM-Option', format: 'uint', repeatable: false, minLength: 0, maxLength: 2 },
  ],
};

/**
 * The options valid in one signaling code (RFC 8323 §5: numbers are scoped to the code), for
 * `check()`: an unknown critical CSM option must be answered with Abort + Bad-CSM-Option.
 */
export const signalingOptionRegistry = (code: number): OptionRegistry =>
  new OptionRegistry(signalingDefinitions[code] ?? []);
