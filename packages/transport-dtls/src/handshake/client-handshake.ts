import type { KeyObject } from 'node:crypto';
import {
  AlertDescription,
  CertificateType,
  DTLS_1_2,
  ExtensionType,
  HandshakeType,
  SIG_ECDSA_SHA256,
} from '../constants';
import { type CipherSuite, usesEcdhe, usesPsk } from '../crypto/cipher-suites';
import { pskPreMaster } from '../crypto/prf';
import { ByteReader, ByteWriter, DtlsDecodeError } from '../wire/bytes';
import { ecdsaSign, ecdsaVerify, publicKeyFromSpki, validateChain } from './credentials';
import {
  EMPTY_RENEGOTIATION_INFO,
  type Extensions,
  encodeCidExtension,
  parseCidExtension,
  u8List,
  u16List,
} from './extensions';
import { type FlightItem, HandshakeBase, type HandshakeHost } from './handshake-base';
import type { HandshakeConfig, SessionParameters } from './handshake-config';
import { HandshakeFailure } from './handshake-failure';
import { EphemeralEcdh, parseEcdhParams } from './key-exchange';
import {
  encodeCertificate,
  encodeClientHello,
  encodeSigned,
  parseCertificate,
  parseCertificateRequest,
  parseHelloVerifyRequest,
  parseServerHello,
  parseSigned,
} from './messages';
import type { HandshakeMessage } from './reassembler';

type ClientState = 'hello' | 'serverFlight' | 'serverFinished';

/** Client side of a full or abbreviated DTLS 1.2 handshake (RFC 6347 4.2.4 flights 1, 3, 5). */
export class ClientHandshake extends HandshakeBase {
  private state: ClientState = 'hello';
  private offered: CipherSuite[];
  private offeredExtensions: Extensions = new Map();
  private resumeFrom?: SessionParameters;
  private resumed = false;
  private serverKey?: KeyObject;
  private serverPoint?: Buffer;
  private certificateRequested = false;
  private serverCertType: number = CertificateType.x509;
  private clientCertType: number = CertificateType.x509;

  constructor(host: HandshakeHost, config: HandshakeConfig, resume?: SessionParameters) {
    super(host, config, true);
    const canVerifyServer = config.trustedCertificates.length > 0 || config.trustRawPublicKey !== undefined;
    this.offered = config.cipherSuites.filter((s) =>
      usesPsk(s)
        ? config.pskKey !== undefined && (s.keyExchange === 'psk' || s.keyExchange === 'ecdhe_psk')
        : canVerifyServer,
    );
    if (this.offered.length === 0) throw new Error('no cipher suite usable with the configured credentials');
    if (resume && this.offered.some((s) => s.id === resume.suite.id)) this.resumeFrom = resume;
    this.clientRandom = config.random(32);
  }

  start(): void {
    const exts: Extensions = new Map();
    if (this.offered.some(usesEcdhe)) {
      exts.set(ExtensionType.supportedGroups, u16List([23]));
      exts.set(ExtensionType.ecPointFormats, u8List([0]));
      exts.set(ExtensionType.signatureAlgorithms, u16List([SIG_ECDSA_SHA256]));
    }
    if (this.offered.some((s) => s.keyExchange === 'ecdhe_ecdsa')) {
      if (this.config.trustRawPublicKey) {
        const types: number[] = [CertificateType.rawPublicKey];
        if (this.config.trustedCertificates.length > 0) types.push(CertificateType.x509);
        exts.set(ExtensionType.serverCertificateType, u8List(types));
      }
      if (this.config.rawPublicKey)
        exts.set(ExtensionType.clientCertificateType, u8List([CertificateType.rawPublicKey]));
    }
    exts.set(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
    exts.set(ExtensionType.renegotiationInfo, EMPTY_RENEGOTIATION_INFO);
    if (this.config.requestCid) {
      this.ownCid = this.config.cidLength > 0 ? this.host.allocateCid() : Buffer.alloc(0);
      exts.set(ExtensionType.connectionId, encodeCidExtension(this.ownCid));
    }
    this.offeredExtensions = exts;
    this.sendHello(Buffer.alloc(0));
  }

  private sendHello(cookie: Buffer): void {
    this.resetTranscript();
    const body = encodeClientHello({
      random: this.clientRandom,
      sessionId: this.resumeFrom?.sessionId ?? Buffer.alloc(0),
      cookie,
      cipherSuites: this.offered.map((s) => s.id),
      extensions: this.offeredExtensions,
    });
    this.host.sendFlight([this.message(HandshakeType.clientHello, body)], true);
  }

  handle(msg: HandshakeMessage): void {
    try {
      this.dispatch(msg);
    } catch (e) {
      if (e instanceof DtlsDecodeError) throw new HandshakeFailure(AlertDescription.decodeError, e.message);
      throw e;
    }
  }

  private dispatch(msg: HandshakeMessage): void {
    if (msg.type !== HandshakeType.finished) this.expectEpoch(msg);
    switch (this.state) {
      case 'hello':
        if (msg.type === HandshakeType.helloVerifyRequest) {
          this.sendHello(parseHelloVerifyRequest(msg.body));
          return;
        }
        if (msg.type === HandshakeType.serverHello) {
          this.onServerHello(msg);
          return;
        }
        throw this.unexpected(msg);
      case 'serverFlight':
        this.onServerFlight(msg);
        return;
      case 'serverFinished':
        if (msg.type !== HandshakeType.finished) throw this.unexpected(msg);
        this.onServerFinished(msg);
        return;
    }
  }

  private onServerHello(msg: HandshakeMessage): void {
    const sh = parseServerHello(msg.body);
    if (sh.version !== DTLS_1_2)
      throw new HandshakeFailure(AlertDescription.protocolVersion, 'server did not choose DTLS 1.2');
    const suite = this.offered.find((s) => s.id === sh.cipherSuite);
    if (!suite || sh.compressionMethod !== 0) {
      throw new HandshakeFailure(
        AlertDescription.illegalParameter,
        'server chose a cipher suite or compression not offered',
      );
    }
    for (const type of sh.extensions.keys()) {
      if (!this.offeredExtensions.has(type)) {
        throw new HandshakeFailure(AlertDescription.unsupportedExtension, `server sent unsolicited extension ${type}`);
      }
    }
    const ri = sh.extensions.get(ExtensionType.renegotiationInfo);
    if (ri && !ri.equals(EMPTY_RENEGOTIATION_INFO))
      throw new HandshakeFailure(AlertDescription.handshakeFailure, 'bad renegotiation_info');
    this.suite = suite;
    this.serverRandom = Buffer.from(sh.random);
    this.sessionId = Buffer.from(sh.sessionId);
    this.ems = sh.extensions.has(ExtensionType.extendedMasterSecret);
    const cid = sh.extensions.get(ExtensionType.connectionId);
    if (cid) {
      const peerCid = parseCidExtension(cid);
      if (peerCid.length > 0) this.peerCid = peerCid;
    } else {
      this.ownCid = undefined;
    }
    const sct = sh.extensions.get(ExtensionType.serverCertificateType);
    if (sct) this.serverCertType = singleCertType(sct);
    const cct = sh.extensions.get(ExtensionType.clientCertificateType);
    if (cct) this.clientCertType = singleCertType(cct);
    this.record(msg);

    const r = this.resumeFrom;
    if (r && this.sessionId.length > 0 && this.sessionId.equals(r.sessionId)) {
      if (r.suite.id !== suite.id || r.extendedMasterSecret !== this.ems) {
        throw new HandshakeFailure(AlertDescription.illegalParameter, 'resumed session parameters differ');
      }
      this.resumed = true;
      this.master = r.masterSecret;
      if (r.identity) this.peerIdentity = r.identity;
      this.installKeys();
      this.awaitingCcs = true;
      this.state = 'serverFinished';
      return;
    }
    if (usesPsk(suite)) this.peerIdentity = { kind: 'psk', identity: this.config.pskIdentity!.toString('utf8') };
    this.state = 'serverFlight';
  }

  private onServerFlight(msg: HandshakeMessage): void {
    const suite = this.suite!;
    switch (msg.type) {
      case HandshakeType.certificate:
        if (suite.keyExchange !== 'ecdhe_ecdsa' || this.serverKey) throw this.unexpected(msg);
        this.onServerCertificate(msg.body);
        break;
      case HandshakeType.serverKeyExchange:
        if (this.serverPoint || (suite.keyExchange === 'ecdhe_ecdsa' && !this.serverKey)) throw this.unexpected(msg);
        this.onServerKeyExchange(msg.body);
        if (suite.keyExchange === 'psk') this.serverPoint = Buffer.alloc(0);
        break;
      case HandshakeType.certificateRequest: {
        if (suite.keyExchange !== 'ecdhe_ecdsa' || !this.serverPoint) throw this.unexpected(msg);
        const cr = parseCertificateRequest(msg.body);
        if (!cr.sigAlgs.includes(SIG_ECDSA_SHA256)) {
          throw new HandshakeFailure(
            AlertDescription.handshakeFailure,
            'server does not accept ecdsa_secp256r1_sha256',
          );
        }
        this.certificateRequested = true;
        break;
      }
      case HandshakeType.serverHelloDone:
        if (usesEcdhe(suite) && !this.serverPoint) throw this.unexpected(msg);
        this.record(msg);
        this.sendClientFlight();
        return;
      default:
        throw this.unexpected(msg);
    }
    this.record(msg);
  }

  private onServerCertificate(body: Buffer): void {
    const rpk = this.serverCertType === CertificateType.rawPublicKey;
    const certs = parseCertificate(body, rpk);
    if (rpk) {
      const spki = certs[0];
      if (!spki) throw new HandshakeFailure(AlertDescription.badCertificate, 'empty raw public key');
      this.serverKey = publicKeyFromSpki(spki);
      if (!this.config.trustRawPublicKey?.(spki))
        throw new HandshakeFailure(AlertDescription.badCertificate, 'untrusted raw public key');
      this.peerIdentity = { kind: 'rpk', publicKey: Buffer.from(spki) };
      return;
    }
    const leaf = validateChain(certs, this.config.trustedCertificates, this.config.now(), this.config.serverName);
    this.serverKey = leaf.publicKey;
    this.peerIdentity = { kind: 'x509', subject: leaf.subject, certificate: Buffer.from(leaf.raw) };
  }

  private onServerKeyExchange(body: Buffer): void {
    const r = new ByteReader(body);
    const kx = this.suite!.keyExchange;
    if (kx === 'psk' || kx === 'ecdhe_psk') r.vec(2, 'psk_identity_hint');
    if (kx === 'psk') {
      r.expectEnd('ServerKeyExchange');
      return;
    }
    const { params, point } = parseEcdhParams(r);
    if (kx === 'ecdhe_ecdsa') {
      const { alg, signature } = parseSigned(r);
      if (alg !== SIG_ECDSA_SHA256)
        throw new HandshakeFailure(AlertDescription.illegalParameter, 'unexpected signature algorithm');
      const signed = Buffer.concat([this.clientRandom, this.serverRandom, params]);
      if (!ecdsaVerify(this.serverKey!, signed, signature)) {
        throw new HandshakeFailure(AlertDescription.decryptError, 'ServerKeyExchange signature does not verify');
      }
    }
    r.expectEnd('ServerKeyExchange');
    this.serverPoint = Buffer.from(point);
  }

  private sendClientFlight(): void {
    const suite = this.suite!;
    const items: FlightItem[] = [];
    let signWithKey: KeyObject | undefined;
    if (this.certificateRequested) {
      const rpk = this.clientCertType === CertificateType.rawPublicKey;
      const own = rpk ? (this.config.rawPublicKey ? [this.config.rawPublicKey] : undefined) : this.config.certChain;
      if (own && this.config.privateKey) signWithKey = this.config.privateKey;
      if (rpk && !own)
        throw new HandshakeFailure(AlertDescription.handshakeFailure, 'raw public key requested but none configured');
      items.push(this.message(HandshakeType.certificate, encodeCertificate(own ?? [], rpk)));
    }
    const cke = new ByteWriter();
    let preMaster: Buffer;
    if (usesPsk(suite)) cke.vec(2, this.config.pskIdentity!);
    if (usesEcdhe(suite)) {
      const ecdh = new EphemeralEcdh();
      const shared = ecdh.sharedSecret(this.serverPoint!);
      cke.vec(1, ecdh.publicPoint);
      preMaster = suite.keyExchange === 'ecdhe_psk' ? pskPreMaster(this.config.pskKey!, shared) : shared;
    } else {
      preMaster = pskPreMaster(this.config.pskKey!);
    }
    items.push(this.message(HandshakeType.clientKeyExchange, cke.finish()));
    this.computeMaster(preMaster);
    if (signWithKey) {
      const signature = ecdsaSign(signWithKey, Buffer.concat(this.transcript));
      items.push(this.message(HandshakeType.certificateVerify, encodeSigned(SIG_ECDSA_SHA256, signature)));
    }
    this.installKeys();
    const finished = this.finishedFor(true);
    items.push({ kind: 'ccs' }, this.message(HandshakeType.finished, finished, 1));
    this.awaitingCcs = true;
    this.state = 'serverFinished';
    this.host.sendFlight(items, true);
  }

  private onServerFinished(msg: HandshakeMessage): void {
    this.verifyPeerFinished(msg);
    if (this.resumed) {
      const finished = this.finishedFor(true);
      this.host.sendFlight([{ kind: 'ccs' }, this.message(HandshakeType.finished, finished, 1)], false);
    }
    this.complete();
  }
}

function singleCertType(body: Buffer): number {
  if (body.length !== 1)
    throw new HandshakeFailure(AlertDescription.decodeError, 'certificate type extension must hold one type');
  return body[0]!;
}
