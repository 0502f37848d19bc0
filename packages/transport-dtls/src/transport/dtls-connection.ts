import { type Peer, type PeerIdentity, peerKey } from '@lwm2m-ts/coap';
import { AlertDescription, AlertLevel, ContentType, HandshakeType, MAX_SEQUENCE } from '../constants';
import { ClientHandshake } from '../handshake/client-handshake';
import type { FlightItem, HandshakeHost } from '../handshake/handshake-base';
import type { HandshakeConfig, SessionParameters } from '../handshake/handshake-config';
import { HandshakeFailure } from '../handshake/handshake-failure';
import { type ClientHello, parseHandshakeFragments } from '../handshake/messages';
import type { HandshakeMessage } from '../handshake/reassembler';
import { ServerHandshake } from '../handshake/server-handshake';
import { encodeFlight } from '../record/flight-encoder';
import { type DtlsRecord, encodeRecord } from '../record/record';
import { type DirectionKeys, openRecord, protectRecord } from '../record/record-protection';
import { ReplayWindow } from '../record/replay-window';
import { DtlsAlertError, SEQUENCE_EXHAUSTED } from './dtls-errors';

/** What a connection needs from the transport that owns it. */
export interface ConnectionOwner {
  readonly config: HandshakeConfig;
  readonly timing: { mtu: number; retransmitInitialMs: number; retransmitMaxMs: number; handshakeTimeoutMs: number };
  sendDatagram(address: string, port: number, data: Buffer): void;
  allocateCid(conn: DtlsConnection): Buffer;
  lookupSession(sessionId: Buffer): SessionParameters | undefined;
  established(conn: DtlsConnection): void;
  applicationData(conn: DtlsConnection, data: Buffer): void;
  closed(conn: DtlsConnection, reason?: Error): void;
  addressChanged(conn: DtlsConnection, previous: { address: string; port: number }): void;
}

type State = 'handshaking' | 'established' | 'closed';
const MAX_EARLY_RECORDS = 8;
const MAX_PLAINTEXT = 16_384;
const MAX_DEFERRED_RECORDS = 16;
/** Records held for later are copied out of their datagram and limited in size: a handshake holds at most ~36 KiB. */
const MAX_HELD_RECORD = 1500;

const detached = (rec: DtlsRecord): DtlsRecord => ({
  ...rec,
  fragment: Buffer.from(rec.fragment),
  ...(rec.cid ? { cid: Buffer.from(rec.cid) } : {}),
});

/** One DTLS association with one peer: record layer, epochs, replay window, the running handshake. */
export class DtlsConnection implements HandshakeHost {
  state: State = 'handshaking';
  session?: SessionParameters;
  ownCid?: Buffer;
  peerCid?: Buffer;
  /** Low 48 bits of the ClientHello random that started this association (server side), to spot late duplicates. */
  helloTag = -1;
  lastActivity: number;
  /** Hex of the Connection IDs the transport registered for this association (owned by the transport). */
  cidKeys?: string[];
  private handshake?: ClientHandshake | ServerHandshake;
  private writeEpoch = 0;
  private readonly writeSeq = [0, 0];
  private writeKeys?: DirectionKeys;
  private readKeys?: DirectionKeys;
  private pendingReadKeys?: DirectionKeys;
  private window0?: ReplayWindow = new ReplayWindow();
  private readonly window1 = new ReplayWindow();
  private early?: DtlsRecord[];
  private deferred?: DtlsRecord[];
  private busy = false;
  private ccsSeen = false;
  private flight?: FlightItem[];
  private flightAwaitsReply = false;
  private retransmitTimer?: NodeJS.Timeout;
  private retransmitDelay = 0;
  private deadline?: NodeJS.Timeout;
  private lastRetransmit = 0;
  private cachedPeer?: Peer;

  constructor(
    private readonly owner: ConnectionOwner,
    readonly isClient: boolean,
    public address: string,
    public port: number,
  ) {
    this.lastActivity = owner.config.now();
  }

  // --- HandshakeHost -------------------------------------------------------------------------

  sendFlight(items: FlightItem[], awaitReply: boolean): void {
    this.flight = items;
    this.flightAwaitsReply = awaitReply;
    this.stopRetransmit();
    this.transmitFlight();
    if (awaitReply) {
      this.retransmitDelay = this.owner.timing.retransmitInitialMs;
      this.armRetransmit();
    }
  }

  setKeys(write: DirectionKeys, read: DirectionKeys): void {
    this.writeKeys = write;
    this.pendingReadKeys = read;
    this.ownCid = this.handshake?.ownCid;
    this.peerCid = this.handshake?.peerCid;
  }

  allocateCid(): Buffer {
    return this.owner.allocateCid(this);
  }

  lookupSession(sessionId: Buffer): SessionParameters | undefined {
    return this.owner.lookupSession(sessionId);
  }

  // --- lifecycle ------------------------------------------------------------------------------

  startClient(resume?: SessionParameters): void {
    const hs = new ClientHandshake(this, this.owner.config, resume);
    this.handshake = hs;
    this.armDeadline();
    this.guard(() => hs.start());
  }

  startServer(hello: ClientHello, message: HandshakeMessage, recordSeq: number): void {
    this.writeSeq[0] = recordSeq;
    this.window0!.mark(recordSeq);
    this.helloTag = hello.random.readUIntBE(0, 6);
    const hs = new ServerHandshake(this, this.owner.config, hello, message);
    this.handshake = hs;
    this.armDeadline();
    this.guard(() => hs.start());
  }

  get identity(): PeerIdentity | undefined {
    return this.session?.identity;
  }

  /** The Peer the upper layer sees; its key stays the same across address changes when we issued a CID. */
  get peer(): Peer {
    if (!this.cachedPeer) {
      // Only a server sees its peers move; a client keeps `address|port` so responses match its requests.
      const cidKey = !this.isClient && this.ownCid && this.ownCid.length > 0;
      const key = cidKey ? `dtls-cid:${this.ownCid!.toString('hex')}` : peerKey(this.address, this.port);
      const identity = this.identity;
      this.cachedPeer = identity
        ? { address: this.address, port: this.port, identity, key }
        : { address: this.address, port: this.port, key };
    }
    return this.cachedPeer;
  }

  /**
   * true once application data can no longer be sent in this epoch: every sequence number but the last, which is
   * kept for close_notify, has been used. The owner then closes the session (see `closeExhausted`).
   */
  get writeSequenceExhausted(): boolean {
    return this.writeSeq[1]! >= MAX_SEQUENCE;
  }

  /** Ends a session whose write sequence numbers are used up: close_notify with the last one, resumable. */
  closeExhausted(): void {
    this.close(true, new Error(SEQUENCE_EXHAUSTED));
  }

  /** Test hook (not exported from the package): the next epoch-1 record gets sequence number `next`. */
  fastForwardWriteSequence(next: number): void {
    if (!Number.isInteger(next) || next < this.writeSeq[1]! || next > MAX_SEQUENCE)
      throw new RangeError(`cannot move the write sequence number to ${next}`);
    this.writeSeq[1] = next;
  }

  sendApplicationData(data: Buffer): void {
    if (this.state !== 'established') throw new Error('DTLS session is not established');
    if (this.writeSequenceExhausted) {
      this.closeExhausted();
      throw new Error(SEQUENCE_EXHAUSTED);
    }
    if (data.length > MAX_PLAINTEXT)
      throw new RangeError(`frame of ${data.length} bytes exceeds the DTLS record limit (16384)`);
    this.owner.sendDatagram(this.address, this.port, this.protect(ContentType.applicationData, 1, data));
  }

  /** Sends close_notify (if established) and forgets everything. */
  close(notify: boolean, reason?: Error): void {
    if (this.state === 'closed') return;
    if (notify && this.state === 'established') this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
    this.shutdown(reason);
  }

  private shutdown(reason?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.stopRetransmit();
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
    this.handshake = undefined;
    this.flight = undefined;
    this.early = undefined;
    this.deferred = undefined;
    this.owner.closed(this, reason);
  }

  private fail(e: unknown): void {
    if (this.state === 'closed') return;
    const alert = HandshakeFailure.isInstance(e) ? e.alert : AlertDescription.internalError;
    this.sendAlert(AlertLevel.fatal, alert);
    this.shutdown(e instanceof Error ? e : new Error(String(e)));
  }

  private guard(step: () => void | Promise<void>): void {
    try {
      const r = step();
      if (r instanceof Promise) {
        this.busy = true;
        r.then(
          () => {
            this.busy = false;
            if (this.state === 'closed') return; // timed out or closed while the step was pending
            this.afterStep();
            this.drain();
            const deferred = this.deferred ?? [];
            this.deferred = undefined;
            for (const rec of deferred) this.processRecord(rec, this.address, this.port);
          },
          (err) => {
            this.busy = false;
            this.fail(err);
          },
        );
        return;
      }
      this.afterStep();
    } catch (err) {
      this.fail(err);
    }
  }

  private afterStep(): void {
    if (this.state === 'handshaking') this.activateReadEpoch();
    const hs = this.handshake;
    if (!hs?.established || this.state !== 'handshaking') return;
    this.state = 'established';
    this.session = hs.established;
    this.cachedPeer = undefined;
    this.stopRetransmit();
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
    // Keep the final flight (and the handshake's message_seq) until the peer proves it got it, or for a while.
    if (this.flight && !this.flightAwaitsReply) {
      this.deadline = setTimeout(() => this.releaseHandshake(), this.owner.timing.handshakeTimeoutMs);
      this.deadline.unref?.();
    } else {
      this.releaseHandshake();
    }
    this.owner.established(this);
  }

  private releaseHandshake(): void {
    this.handshake = undefined;
    this.window0 = undefined;
    this.flight = undefined;
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  // --- receive --------------------------------------------------------------------------------

  receive(records: readonly DtlsRecord[], address: string, port: number): void {
    for (const rec of records) {
      if (this.state === 'closed') return;
      if (this.busy) {
        this.deferred ??= [];
        if (this.deferred.length < MAX_DEFERRED_RECORDS && rec.fragment.length <= MAX_HELD_RECORD) {
          this.deferred.push(detached(rec));
        }
        continue;
      }
      this.processRecord(rec, address, port);
    }
  }

  private processRecord(rec: DtlsRecord, address: string, port: number, early = false): void {
    if (rec.epoch === 0) {
      const w = this.window0;
      if (rec.type === ContentType.tls12Cid || !w?.check(rec.seq)) return;
      w.mark(rec.seq);
      if (rec.type === ContentType.handshake) this.onHandshakeRecord(rec.fragment, 0);
      else if (rec.type === ContentType.changeCipherSpec) this.onChangeCipherSpec(rec.fragment);
      // Plaintext alerts can only end a handshake; an established session ignores them (they are forgeable).
      else if (rec.type === ContentType.alert && this.state === 'handshaking') this.onAlert(rec.fragment);
      return;
    }
    if (rec.epoch !== 1) return;
    if (!this.readKeys) {
      if (this.state === 'handshaking') {
        this.early ??= [];
        if (this.early.length < MAX_EARLY_RECORDS && rec.fragment.length <= MAX_HELD_RECORD)
          this.early.push(detached(rec));
      }
      return;
    }
    if (!this.window1.check(rec.seq)) return;
    const expectCid = this.ownCid && this.ownCid.length > 0 ? this.ownCid : undefined;
    if (
      expectCid ? rec.type !== ContentType.tls12Cid || !rec.cid?.equals(expectCid) : rec.type === ContentType.tls12Cid
    )
      return;
    const opened = openRecord(this.readKeys, rec.type, 1, rec.seq, rec.fragment, rec.cid);
    if (!opened) {
      // During the handshake the epoch-1 record right after the peer's ChangeCipherSpec is its Finished: if it
      // does not authenticate the keys differ (wrong PSK). Buffered early records may be stale (e.g. the old
      // association's close_notify), so those are only dropped.
      if (this.state === 'handshaking' && !early) {
        this.fail(
          new HandshakeFailure(AlertDescription.badRecordMac, 'Finished record does not authenticate (wrong key?)'),
        );
      }
      return;
    }
    const newest = rec.seq > this.window1.max;
    this.window1.mark(rec.seq);
    this.lastActivity = this.owner.config.now();
    if (expectCid && newest && (address !== this.address || port !== this.port)) this.moveTo(address, port);
    switch (opened.type) {
      case ContentType.applicationData:
        if (this.state !== 'established') return;
        if (this.handshake && this.flight) this.releaseHandshake();
        this.owner.applicationData(this, opened.content);
        return;
      case ContentType.handshake:
        this.onHandshakeRecord(opened.content, 1);
        return;
      case ContentType.alert:
        this.onAlert(opened.content);
        return;
      default:
        return;
    }
  }

  private moveTo(address: string, port: number): void {
    const previous = { address: this.address, port: this.port };
    this.address = address;
    this.port = port;
    this.cachedPeer = undefined;
    this.owner.addressChanged(this, previous);
  }

  private onHandshakeRecord(payload: Buffer, epoch: number): void {
    let frags: ReturnType<typeof parseHandshakeFragments>;
    try {
      frags = parseHandshakeFragments(payload);
    } catch {
      return;
    }
    const hs = this.handshake;
    let old = false;
    for (const f of frags) {
      if (
        this.state === 'established' &&
        epoch === 1 &&
        (f.msgType === HandshakeType.clientHello || f.msgType === HandshakeType.helloRequest)
      ) {
        // RFC 5746 / 5246 7.2.2: we never renegotiate.
        this.sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
        return;
      }
      if (hs && hs.reassembler.add(f, epoch) === 'old') old = true;
    }
    if (old) this.retransmitOnDuplicate();
    if (this.state === 'handshaking') this.drain();
  }

  private drain(): void {
    const hs = this.handshake;
    while (hs && this.handshake === hs && !this.busy && this.state === 'handshaking') {
      const msg = hs.reassembler.next();
      if (!msg) return;
      this.guard(() => hs.handle(msg));
    }
  }

  private onChangeCipherSpec(payload: Buffer): void {
    if (payload.length !== 1 || payload[0] !== 1 || !this.handshake || this.state !== 'handshaking') return;
    // Remembered when it overtakes the handshake messages before it (reordering); applied once they are in.
    this.ccsSeen = true;
    this.activateReadEpoch();
  }

  private activateReadEpoch(): void {
    if (!this.ccsSeen || !this.pendingReadKeys || !this.handshake?.acceptChangeCipherSpec()) return;
    this.ccsSeen = false;
    this.readKeys = this.pendingReadKeys;
    this.pendingReadKeys = undefined;
    const early = this.early ?? [];
    this.early = undefined;
    for (const rec of early) this.processRecord(rec, this.address, this.port, true);
  }

  private onAlert(payload: Buffer): void {
    if (payload.length !== 2) return;
    const level = payload[0]!;
    const description = payload[1]!;
    if (description === AlertDescription.closeNotify) {
      if (this.state === 'established') this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
      // An orderly close has no reason (and costs no Error/stack capture).
      this.shutdown(this.state === 'established' ? undefined : new DtlsAlertError(level, description));
      return;
    }
    if (level === AlertLevel.fatal) this.shutdown(new DtlsAlertError(level, description));
  }

  // --- send -----------------------------------------------------------------------------------

  /** Seals one record with the next sequence number of `epoch`; throws rather than ever reuse one. */
  private protect(type: number, epoch: number, content: Buffer): Buffer {
    const seq = this.writeSeq[epoch]!;
    if (seq > MAX_SEQUENCE) throw new RangeError(SEQUENCE_EXHAUSTED);
    this.writeSeq[epoch] = seq + 1;
    if (epoch === 0) return encodeRecord(type, 0, seq, content);
    const cid = this.peerCid && this.peerCid.length > 0 ? this.peerCid : undefined;
    return protectRecord(this.writeKeys!, type, epoch, seq, content, cid, this.owner.config.random);
  }

  private sendAlert(level: number, description: number): void {
    const epoch = this.writeEpoch === 1 && this.writeKeys ? 1 : 0;
    if (this.writeSeq[epoch]! > MAX_SEQUENCE) return; // no sequence number left, not even for an alert
    this.owner.sendDatagram(
      this.address,
      this.port,
      this.protect(ContentType.alert, epoch, Buffer.from([level, description])),
    );
  }

  private transmitFlight(): void {
    const items = this.flight;
    if (!items) return;
    const cipher = this.writeKeys?.cipher ?? 'aes-128-ccm8';
    const datagrams = encodeFlight(
      items,
      this.owner.timing.mtu,
      (type, epoch, content) => this.protect(type, epoch, content),
      cipher,
      this.peerCid?.length ?? 0,
    );
    if (items.some((i) => i.kind === 'ccs')) this.writeEpoch = 1;
    this.lastRetransmit = this.owner.config.now();
    for (const d of datagrams) this.owner.sendDatagram(this.address, this.port, d);
  }

  /** The peer repeated part of its last flight: ours was lost, send it again (at most every 100 ms). */
  private retransmitOnDuplicate(): void {
    if (!this.flight || this.owner.config.now() - this.lastRetransmit < 100) return;
    this.transmitFlight();
  }

  private armRetransmit(): void {
    this.retransmitTimer = setTimeout(() => {
      this.retransmitTimer = undefined;
      if (this.state !== 'handshaking' || !this.flight) return;
      this.transmitFlight();
      this.retransmitDelay = Math.min(this.retransmitDelay * 2, this.owner.timing.retransmitMaxMs);
      this.armRetransmit();
    }, this.retransmitDelay);
    this.retransmitTimer.unref?.();
  }

  private stopRetransmit(): void {
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
  }

  private armDeadline(): void {
    this.deadline = setTimeout(() => {
      this.deadline = undefined;
      if (this.state === 'handshaking') this.shutdown(new Error('DTLS handshake timed out'));
    }, this.owner.timing.handshakeTimeoutMs);
    this.deadline.unref?.();
  }
}
