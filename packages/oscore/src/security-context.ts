/**
 * One OSCORE Security Context (RFC 8613 §3.1): the immutable Common/Sender/Recipient parameters
 * derived once, plus the mutable Sender Sequence Number and Replay Window.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { type AeadAlgorithm, aeadAlgorithm } from './aead';
import { bytesToHex } from './bytes';
import { deriveKeys } from './key-derivation';
import { ReplayWindow } from './replay-window';
import { SenderSequence, type SequencePersistence } from './sender-sequence';
import type { SequenceNumberStore } from './sequence-number-store';

export interface SecurityContextInput {
  readonly masterSecret: Uint8Array;
  /** Default: empty. */
  readonly masterSalt?: Uint8Array;
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  /** ID Context; omitted = nil in the HKDF info. */
  readonly idContext?: Uint8Array;
  /** COSE AEAD algorithm (default 10, AES-CCM-16-64-128). */
  readonly aeadAlgorithm?: number;
  /** Replay window size (default 32). */
  readonly replayWindowSize?: number;
  /** Send 'kid context' in requests (default: true when an ID Context is set). */
  readonly sendKidContext?: boolean;
  /** Appendix B.1.1 sequence number persistence. */
  readonly sequenceStore?: SequenceNumberStore;
  /** Store key (default `oscore:<senderId hex>:<recipientId hex>:<idContext hex>`). */
  readonly sequenceStoreKey?: string;
  /** K (default 100). */
  readonly sequenceInterval?: number;
  /** F (default 0). */
  readonly sequenceMargin?: number;
  /**
   * Appendix B.1.2: the context was restored after a restart without its replay window. Requests
   * are then answered with an Echo challenge until one proves fresh. Default: true when the
   * sequence store already held a value for this context (a restart), else false.
   */
  readonly replayWindowLost?: boolean;
  /** Random source for Echo values (default node:crypto randomBytes). */
  readonly random?: (length: number) => Uint8Array;
}

export class SecurityContext {
  readonly algorithm: AeadAlgorithm;
  readonly senderId: Uint8Array;
  readonly recipientId: Uint8Array;
  readonly idContext: Uint8Array | undefined;
  readonly senderKey: Uint8Array;
  readonly recipientKey: Uint8Array;
  /** The same keys as KeyObjects, made once: every message's cipher takes them. */
  readonly senderCipherKey: KeyObject;
  readonly recipientCipherKey: KeyObject;
  readonly commonIv: Uint8Array;
  readonly sendKidContext: boolean;
  readonly replayWindow: ReplayWindow;
  readonly sequence: SenderSequence;
  /** Echo value issued while the replay window is not initialized (Appendix B.1.2). */
  pendingEcho: Uint8Array | undefined;
  readonly random: ((length: number) => Uint8Array) | undefined;
  /** Hex of the input parameters, for lookups and as the default store key. */
  readonly label: string;

  constructor(input: SecurityContextInput) {
    this.algorithm = aeadAlgorithm(input.aeadAlgorithm ?? 10);
    const maxId = this.algorithm.nonceLength - 6;
    if (input.senderId.length > maxId || input.recipientId.length > maxId) {
      throw new RangeError(`Sender/Recipient ID longer than ${maxId} bytes (RFC 8613 §3.3)`);
    }
    if (input.masterSecret.length === 0) throw new RangeError('Master Secret must not be empty');
    this.senderId = input.senderId.slice();
    this.recipientId = input.recipientId.slice();
    this.idContext = input.idContext?.slice();
    const keys = deriveKeys({
      masterSecret: input.masterSecret,
      senderId: this.senderId,
      recipientId: this.recipientId,
      alg: this.algorithm,
      ...(input.masterSalt ? { masterSalt: input.masterSalt } : {}),
      ...(this.idContext ? { idContext: this.idContext } : {}),
    });
    this.senderKey = keys.senderKey;
    this.recipientKey = keys.recipientKey;
    this.senderCipherKey = createSecretKey(keys.senderKey);
    this.recipientCipherKey = createSecretKey(keys.recipientKey);
    this.commonIv = keys.commonIv;
    this.sendKidContext = input.sendKidContext ?? this.idContext !== undefined;
    this.label = `${bytesToHex(this.senderId)}:${bytesToHex(this.recipientId)}:${this.idContext ? bytesToHex(this.idContext) : '-'}`;
    let restarted = false;
    let persistence: SequencePersistence | undefined;
    if (input.sequenceStore) {
      const key = input.sequenceStoreKey ?? `oscore:${this.label}`;
      restarted = input.sequenceStore.load(key) !== undefined;
      persistence = {
        store: input.sequenceStore,
        key,
        ...(input.sequenceInterval !== undefined ? { interval: input.sequenceInterval } : {}),
        ...(input.sequenceMargin !== undefined ? { margin: input.sequenceMargin } : {}),
      };
    }
    this.sequence = new SenderSequence(persistence);
    this.replayWindow = new ReplayWindow(input.replayWindowSize ?? 32, {
      valid: !(input.replayWindowLost ?? restarted),
    });
    this.random = input.random;
  }

  /** Next Sender Sequence Number to be used (settable: tests, resynchronization). */
  get senderSequenceNumber(): number {
    return this.sequence.current;
  }
  set senderSequenceNumber(value: number) {
    this.sequence.current = value;
  }
}

export const createSecurityContext = (input: SecurityContextInput): SecurityContext => new SecurityContext(input);
