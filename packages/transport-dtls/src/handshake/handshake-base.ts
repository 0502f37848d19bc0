import { createHash, type Hash } from 'node:crypto';
import type { PeerIdentity } from '@lwm2m-ts/coap';
import { AlertDescription, HandshakeType } from '../constants';
import { type CipherSuite, keyBlockLength } from '../crypto/cipher-suites';
import { extendedMasterSecret, finishedVerifyData, keyBlock, masterSecret } from '../crypto/prf';
import { type DirectionKeys, KeyBlockDirection } from '../record/record-protection';
import type { HandshakeConfig, SessionParameters } from './handshake-config';
import { HandshakeFailure } from './handshake-failure';
import { encodeHandshakeFragment } from './messages';
import { type HandshakeMessage, HandshakeReassembler } from './reassembler';

/** One element of an outgoing flight. Handshake messages in epoch 1 are encrypted (Finished). */
export type FlightItem =
  | {
      readonly kind: 'handshake';
      readonly type: number;
      readonly seq: number;
      readonly body: Buffer;
      readonly epoch: number;
    }
  | { readonly kind: 'ccs' };

/** What a handshake needs from the connection that runs it. */
export interface HandshakeHost {
  readonly address: string;
  readonly port: number;
  /** Sends a flight; with `awaitReply` the retransmission timer runs until the next flight or completion. */
  sendFlight(items: FlightItem[], awaitReply: boolean): void;
  /** Installs epoch-1 keys: write keys are used at once, read keys once the peer's ChangeCipherSpec arrives. */
  setKeys(write: DirectionKeys, read: DirectionKeys): void;
  /** One of this endpoint's Connection IDs (server and CID-requesting client). */
  allocateCid(): Buffer;
  lookupSession?(sessionId: Buffer): SessionParameters | undefined;
}

export abstract class HandshakeBase {
  readonly reassembler: HandshakeReassembler;
  /** Set once the handshake is complete. */
  established?: SessionParameters;
  /** true while the final flight must be kept for the peer's retransmissions. */
  ownCid?: Buffer;
  peerCid?: Buffer;
  /** The handshake messages so far (CertificateVerify signs their concatenation). */
  protected transcript: Buffer[] = [];
  /** Running SHA-256 over `transcript`: each hash the handshake needs is a copy of it, not a re-hash of all. */
  private transcriptDigest: Hash = createHash('sha256');
  protected sendSeq = 0;
  protected clientRandom: Buffer = Buffer.alloc(32);
  protected serverRandom: Buffer = Buffer.alloc(32);
  protected suite?: CipherSuite;
  protected master?: Buffer;
  protected ems = false;
  protected sessionId: Buffer = Buffer.alloc(0);
  protected peerIdentity?: PeerIdentity;
  /** true while the peer's ChangeCipherSpec is the next thing we expect. */
  protected awaitingCcs = false;
  protected ccsReceived = false;

  constructor(
    protected readonly host: HandshakeHost,
    protected readonly config: HandshakeConfig,
    protected readonly isClient: boolean,
  ) {
    this.reassembler = new HandshakeReassembler(config.maxHandshakeMessage);
  }

  abstract handle(msg: HandshakeMessage): void | Promise<void>;

  /** The peer's ChangeCipherSpec; returns false if it is not expected now (it is then dropped). */
  acceptChangeCipherSpec(): boolean {
    if (!this.awaitingCcs) return false;
    this.awaitingCcs = false;
    this.ccsReceived = true;
    return true;
  }

  get done(): boolean {
    return this.established !== undefined;
  }

  /** A handshake message we send, added to the transcript. */
  protected message(type: number, body: Buffer, epoch = 0): FlightItem {
    const seq = this.sendSeq++;
    this.addToTranscript(encodeHandshakeFragment(type, seq, body));
    return { kind: 'handshake', type, seq, body, epoch };
  }

  /** A message we received, added to the transcript. */
  protected record(msg: HandshakeMessage): void {
    this.addToTranscript(encodeHandshakeFragment(msg.type, msg.seq, msg.body));
  }

  private addToTranscript(message: Buffer): void {
    this.transcript.push(message);
    this.transcriptDigest.update(message);
  }

  /** Starts the transcript over (a client after HelloVerifyRequest, RFC 6347 4.2.1). */
  protected resetTranscript(): void {
    this.transcript = [];
    this.transcriptDigest = createHash('sha256');
  }

  protected transcriptHash(): Buffer {
    return this.transcriptDigest.copy().digest();
  }

  protected expectEpoch(msg: HandshakeMessage): void {
    const want = msg.type === HandshakeType.finished ? 1 : 0;
    if (msg.epoch !== want)
      throw new HandshakeFailure(AlertDescription.unexpectedMessage, 'handshake message in the wrong epoch');
  }

  protected computeMaster(preMaster: Buffer): void {
    const master = this.ems
      ? extendedMasterSecret(preMaster, this.transcriptHash())
      : masterSecret(preMaster, this.clientRandom, this.serverRandom);
    // Long-lived: its own allocation rather than a slice of Node's shared buffer pool.
    this.master = Buffer.allocUnsafeSlow(48);
    master.copy(this.master);
    master.fill(0);
    preMaster.fill(0);
  }

  protected installKeys(): void {
    const s = this.suite!;
    const generated = keyBlock(this.master!, this.clientRandom, this.serverRandom, keyBlockLength(s));
    const kb = Buffer.allocUnsafeSlow(generated.length);
    generated.copy(kb);
    generated.fill(0);
    // Layout (RFC 5246 6.3): client MAC, server MAC, client key, server key, client IV, server IV.
    const m = s.macKeyLength;
    const k = s.encKeyLength;
    const v = s.fixedIvLength;
    const client = new KeyBlockDirection(s.cipher, kb, 0, m, 2 * m, 2 * m + 2 * k, v);
    const server = new KeyBlockDirection(s.cipher, kb, m, m, 2 * m + k, 2 * m + 2 * k + v, v);
    if (this.isClient) this.host.setKeys(client, server);
    else this.host.setKeys(server, client);
  }

  protected finishedFor(fromClient: boolean): Buffer {
    return finishedVerifyData(this.master!, fromClient, this.transcriptHash());
  }

  protected verifyPeerFinished(msg: HandshakeMessage): void {
    this.expectEpoch(msg);
    if (!this.ccsReceived)
      throw new HandshakeFailure(AlertDescription.unexpectedMessage, 'Finished before ChangeCipherSpec');
    const expected = this.finishedFor(!this.isClient);
    if (msg.body.length !== 12 || !expected.equals(msg.body)) {
      throw new HandshakeFailure(AlertDescription.decryptError, 'Finished verify_data mismatch');
    }
    this.record(msg);
  }

  protected complete(): void {
    this.established = {
      suite: this.suite!,
      masterSecret: this.master!,
      sessionId: this.sessionId,
      extendedMasterSecret: this.ems,
      ...(this.peerIdentity ? { identity: this.peerIdentity } : {}),
    };
    this.transcript = [];
    this.reassembler.clear();
  }

  protected unexpected(msg: HandshakeMessage): HandshakeFailure {
    return new HandshakeFailure(AlertDescription.unexpectedMessage, `unexpected handshake message ${msg.type}`);
  }
}
