export { computeAad, encodeAadArray, encodeEncStructure, OSCORE_VERSION } from './aad';
export { AES_CCM_16_64_128, type AeadAlgorithm, aeadDecrypt, aeadEncrypt } from './aead';
export { bytesToHex, hexToBytes } from './bytes';
export { loadOscoreContextFile, type OscoreContextJson, parseOscoreContextJson } from './context-json';
export { SecurityContextRegistry } from './context-registry';
export { createEchoChallenge, oscoreErrorResponse } from './error-responses';
export { type DerivedKeys, deriveKeys, encodeHkdfInfo } from './key-derivation';
export { computeNonce, decodePartialIv, encodePartialIv } from './nonce';
export { isOuterOnlyOption } from './option-classes';
export { OscoreError, type OscoreErrorKind } from './oscore-error';
export { createOscoreLayer, type OscoreLayerOptions } from './oscore-layer';
export { decodeOscoreOption, encodeOscoreOption, type OscoreOptionValue } from './oscore-option';
export {
  getOscoreOption,
  isOscoreMessage,
  type ProtectedRequest,
  protectRequest,
  type UnprotectRequestResult,
  unprotectRequest,
} from './protect-request';
export {
  type ProtectResponseOptions,
  protectResponse,
  type UnprotectResponseResult,
  unprotectResponse,
} from './protect-response';
export { type ReplayVerdict, ReplayWindow } from './replay-window';
export { RequestBinding } from './request-binding';
export { createSecurityContext, SecurityContext, type SecurityContextInput } from './security-context';
export { MAX_SEQUENCE_NUMBER, SenderSequence, type SequencePersistence } from './sender-sequence';
export { FileSequenceNumberStore, MemorySequenceNumberStore, type SequenceNumberStore } from './sequence-number-store';
