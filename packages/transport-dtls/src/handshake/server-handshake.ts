import type { KeyObject } from 'node:crypto';
import {
  AlertDescription,
  CertificateType,
  DTLS_1_2,
  EMPTY_RENEGOTIATION_INFO_SCSV,
  ExtensionType,
  HandshakeType,
  NAMED_CURVE_SECP256R1,
  SIG_ECDSA_SHA256,
} from '../constants';
import { type CipherSuite, usesEcdhe, usesPsk } from '../crypto/cipher-suites';
import { pskPreMaster } from '../crypto/prf';
import { ByteReader, ByteWriter, DtlsDecodeError, toBuffer } from '../wire/bytes';
import { ecdsaSign, ecdsaVerify, publicKeyFromSpki, validateChain } from './credentials';
import {
  EMPTY_RENEGOTIATION_INFO,
  type Extensions,
  encodeCidExtension,
  parseCidExtension,
  parseU8List,
  parseU16List,
  u8List,
} from './extensions';
import { type FlightItem, HandshakeBase, type HandshakeHost } from './handshake-base';
import type { HandshakeConfig } from './handshake-config';
import { HandshakeFailure } from './handshake-failure';
import { EphemeralEcdh, encodeEcdhParams } from './key-exchange';
import {
  type ClientHello,
  encodeCertificate,
  encodeCertificateRequest,
  encodeServerHello,
  encodeSigned,
  parseCertificate,
  parseSigned,
} from './messages';
import type { HandshakeMessage } from './reassembler';

type ServerState = 'clientFlight' | 'clientFinished';

/** Server side of a DTLS 1.2 handshake, started from a cookie-verified ClientHello (flights 4 and 6). */
export class ServerHandshake extends HandshakeBase {
  private state: ServerState = 'clientFlight';
  private ecdh?: EphemeralEcdh;
  private certificateRequested = false;
  private clientCertType: number = CertificateType.x509;
  private serverCertType: number = CertificateType.x509;
  private clientKey?: KeyObject;
  private clientCertSeen = false;
  private resumed = false;

  constructor(
    host: HandshakeHost,
    config: HandshakeConfig,
    private readonly hello: ClientHello,
    private readonly helloMessage: HandshakeMessage,
  ) {
    super(host, config, false);
  }

  start(): void {
    try {
      this.negotiate();
    } catch (e) {
      if (e instanceof DtlsDecodeError) throw new HandshakeFailure(AlertDescription.decodeError, e.message);
      throw e;
    }
  }

  private negotiate(): void {
    const ch = this.hello;
    const cfg = this.config;
    this.record(this.helloMessage);
    this.reassembler.nextSeq = this.helloMessage.seq + 1;
    // A stateless server answers with the ClientHello's message_seq (RFC 6347 4.2.2 and OpenSSL behaviour).
    this.sendSeq = this.helloMessage.seq;
    this.clientRandom = Buffer.from(ch.random);
    this.serverRandom = cfg.random(32);
    if (ch.version > DTLS_1_2)
      throw new HandshakeFailure(AlertDescription.protocolVersion, 'client does not offer DTLS 1.2');
    if (!ch.compressionMethods.includes(0))
      throw new HandshakeFailure(AlertDescription.handshakeFailure, 'no null compression');
    const ext = ch.extensions;
    this.ems = ext.has(ExtensionType.extendedMasterSecret);
    const ri = ext.get(ExtensionType.renegotiationInfo);
    if (ri && !ri.equals(EMPTY_RENEGOTIATION_INFO))
      throw new HandshakeFailure(AlertDescription.handshakeFailure, 'bad renegotiation_info');
    const secureRenegotiation = ri !== undefined || ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV);

    const shExt: Extensions = new Map();
    if (this.ems) shExt.set(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
    if (secureRenegotiation) shExt.set(ExtensionType.renegotiationInfo, EMPTY_RENEGOTIATION_INFO);
    const cidExt = ext.get(ExtensionType.connectionId);
    if (cidExt && cfg.cidLength > 0) {
      const peerCid = parseCidExtension(cidExt);
      if (peerCid.length > 0) this.peerCid = peerCid;
      this.ownCid = this.host.allocateCid();
      shExt.set(ExtensionType.connectionId, encodeCidExtension(this.ownCid));
    }

    const cached = ch.sessionId.length > 0 ? this.host.lookupSession?.(ch.sessionId) : undefined;
    if (cached && ch.cipherSuites.includes(cached.suite.id) && cached.extendedMasterSecret === this.ems) {
      this.resume(cached, shExt);
      return;
    }

    const suite = this.chooseSuite(shExt);
    this.suite = suite;
    this.sessionId = cfg.random(32);
    const items: FlightItem[] = [
      this.message(
        HandshakeType.serverHello,
        encodeServerHello({
          random: this.serverRandom,
          sessionId: this.sessionId,
          cipherSuite: suite.id,
          extensions: shExt,
        }),
      ),
    ];
    if (suite.keyExchange === 'ecdhe_ecdsa') {
      const rpk = this.serverCertType === CertificateType.rawPublicKey;
      items.push(
        this.message(HandshakeType.certificate, encodeCertificate(rpk ? [cfg.rawPublicKey!] : cfg.certChain!, rpk)),
      );
    }
    const ske = new ByteWriter();
    if (usesPsk(suite) && (cfg.identityHint || suite.keyExchange === 'ecdhe_psk'))
      ske.vec(2, cfg.identityHint ?? Buffer.alloc(0));
    if (usesEcdhe(suite)) {
      this.ecdh = new EphemeralEcdh();
      const params = encodeEcdhParams(this.ecdh.publicPoint);
      ske.bytes(params);
      if (suite.keyExchange === 'ecdhe_ecdsa') {
        const signature = ecdsaSign(cfg.privateKey!, Buffer.concat([this.clientRandom, this.serverRandom, params]));
        ske.bytes(encodeSigned(SIG_ECDSA_SHA256, signature));
      }
    }
    if (ske.length > 0) items.push(this.message(HandshakeType.serverKeyExchange, ske.finish()));
    if (this.certificateRequested)
      items.push(this.message(HandshakeType.certificateRequest, encodeCertificateRequest([SIG_ECDSA_SHA256])));
    items.push(this.message(HandshakeType.serverHelloDone, Buffer.alloc(0)));
    this.host.sendFlight(items, true);
  }

  private resume(
    cached: NonNullable<ReturnType<NonNullable<HandshakeHost['lookupSession']>>>,
    shExt: Extensions,
  ): void {
    this.resumed = true;
    this.suite = cached.suite;
    this.master = cached.masterSecret;
    this.sessionId = cached.sessionId;
    if (cached.identity) this.peerIdentity = cached.identity;
    const sh = this.message(
      HandshakeType.serverHello,
      encodeServerHello({
        random: this.serverRandom,
        sessionId: this.sessionId,
        cipherSuite: cached.suite.id,
        extensions: shExt,
      }),
    );
    this.installKeys();
    const finished = this.message(HandshakeType.finished, this.finishedFor(false), 1);
    this.awaitingCcs = true;
    this.state = 'clientFinished';
    this.host.sendFlight([sh, { kind: 'ccs' }, finished], true);
  }

  private chooseSuite(shExt: Extensions): CipherSuite {
    const ch = this.hello;
    const cfg = this.config;
    const ext = ch.extensions;
    const groups = ext.get(ExtensionType.supportedGroups);
    const sigAlgs = ext.get(ExtensionType.signatureAlgorithms);
    const formats = ext.get(ExtensionType.ecPointFormats);
    const ecdheOk =
      (!groups || parseU16List(groups).includes(NAMED_CURVE_SECP256R1)) &&
      (!formats || parseU8List(formats).includes(0));
    const ecdsaOk = ecdheOk && (!sigAlgs || parseU16List(sigAlgs).includes(SIG_ECDSA_SHA256));
    const serverType = this.pickServerCertType();
    for (const s of cfg.cipherSuites) {
      if (!ch.cipherSuites.includes(s.id)) continue;
      if (usesPsk(s) && !cfg.pskLookup) continue;
      if (s.keyExchange === 'ecdhe_psk' && !ecdheOk) continue;
      if (s.keyExchange === 'ecdhe_ecdsa' && (!ecdsaOk || serverType === undefined || !cfg.privateKey)) continue;
      if (usesEcdhe(s) && formats) shExt.set(ExtensionType.ecPointFormats, u8List([0]));
      if (s.keyExchange === 'ecdhe_ecdsa') {
        this.serverCertType = serverType!;
        if (ext.has(ExtensionType.serverCertificateType))
          shExt.set(ExtensionType.serverCertificateType, Buffer.from([serverType!]));
        this.planClientAuth(shExt);
      }
      return s;
    }
    throw new HandshakeFailure(AlertDescription.handshakeFailure, 'no cipher suite in common');
  }

  private pickServerCertType(): number | undefined {
    const cfg = this.config;
    const offered = this.hello.extensions.get(ExtensionType.serverCertificateType);
    const types = offered ? parseU8List(offered) : [CertificateType.x509];
    return types.find(
      (t) => (t === CertificateType.rawPublicKey && cfg.rawPublicKey) || (t === CertificateType.x509 && cfg.certChain),
    );
  }

  private planClientAuth(shExt: Extensions): void {
    const cfg = this.config;
    if (cfg.clientAuth === 'none') return;
    const offered = this.hello.extensions.get(ExtensionType.clientCertificateType);
    const types = offered ? parseU8List(offered) : [CertificateType.x509];
    const t = types.find(
      (x) =>
        (x === CertificateType.rawPublicKey && cfg.trustRawPublicKey) ||
        (x === CertificateType.x509 && cfg.trustedCertificates.length > 0),
    );
    if (t === undefined) {
      if (cfg.clientAuth === 'require')
        throw new HandshakeFailure(AlertDescription.unsupportedCertificate, 'no usable client certificate type');
      return;
    }
    this.clientCertType = t;
    this.certificateRequested = true;
    if (offered) shExt.set(ExtensionType.clientCertificateType, Buffer.from([t]));
  }

  handle(msg: HandshakeMessage): void | Promise<void> {
    try {
      if (msg.type !== HandshakeType.finished) this.expectEpoch(msg);
      if (this.state === 'clientFinished') {
        if (msg.type !== HandshakeType.finished) throw this.unexpected(msg);
        return this.onClientFinished(msg);
      }
      switch (msg.type) {
        case HandshakeType.certificate:
          if (!this.certificateRequested || this.clientCertSeen) throw this.unexpected(msg);
          this.onClientCertificate(msg.body);
          return this.record(msg);
        case HandshakeType.clientKeyExchange:
          if (this.master || (this.certificateRequested && !this.clientCertSeen)) throw this.unexpected(msg);
          return this.onClientKeyExchange(msg);
        case HandshakeType.certificateVerify:
          if (!this.master || !this.clientKey) throw this.unexpected(msg);
          return this.onCertificateVerify(msg);
        case HandshakeType.finished:
          return this.onClientFinished(msg);
        default:
          throw this.unexpected(msg);
      }
    } catch (e) {
      if (e instanceof DtlsDecodeError) throw new HandshakeFailure(AlertDescription.decodeError, e.message);
      throw e;
    }
  }

  private onClientCertificate(body: Buffer): void {
    this.clientCertSeen = true;
    const rpk = this.clientCertType === CertificateType.rawPublicKey;
    const certs = parseCertificate(body, rpk);
    if (certs.length === 0) {
      if (this.config.clientAuth === 'require')
        throw new HandshakeFailure(AlertDescription.handshakeFailure, 'client sent no certificate');
      return;
    }
    if (rpk) {
      const spki = certs[0]!;
      this.clientKey = publicKeyFromSpki(spki);
      if (!this.config.trustRawPublicKey?.(spki))
        throw new HandshakeFailure(AlertDescription.badCertificate, 'untrusted raw public key');
      this.peerIdentity = { kind: 'rpk', publicKey: Buffer.from(spki) };
      return;
    }
    const leaf = validateChain(certs, this.config.trustedCertificates, this.config.now());
    this.clientKey = leaf.publicKey;
    this.peerIdentity = { kind: 'x509', subject: leaf.subject, certificate: Buffer.from(leaf.raw) };
  }

  private onClientKeyExchange(msg: HandshakeMessage): void | Promise<void> {
    const suite = this.suite!;
    const r = new ByteReader(msg.body);
    const identity = usesPsk(suite) ? Buffer.from(r.vec(2, 'psk_identity')) : undefined;
    let shared: Buffer | undefined;
    if (usesEcdhe(suite)) shared = this.ecdh!.sharedSecret(Buffer.from(r.vec(1, 'ec point')));
    r.expectEnd('ClientKeyExchange');
    if (!identity) return this.afterKeyExchange(msg, shared!);
    const name = identity.toString('utf8');
    this.peerIdentity = { kind: 'psk', identity: name };
    const withKey = (key: Uint8Array | undefined) => {
      if (!key || key.length === 0)
        throw new HandshakeFailure(AlertDescription.unknownPskIdentity, `unknown PSK identity ${JSON.stringify(name)}`);
      this.afterKeyExchange(msg, pskPreMaster(Buffer.from(toBuffer(key)), shared));
    };
    const found = this.config.pskLookup!(name);
    return found instanceof Promise ? found.then(withKey) : withKey(found);
  }

  private afterKeyExchange(msg: HandshakeMessage, preMaster: Buffer): void {
    this.record(msg);
    this.computeMaster(preMaster);
    this.installKeys();
    this.ecdh = undefined;
    this.awaitingCcs = !this.clientKey;
  }

  private onCertificateVerify(msg: HandshakeMessage): void {
    const r = new ByteReader(msg.body);
    const { alg, signature } = parseSigned(r);
    r.expectEnd('CertificateVerify');
    if (alg !== SIG_ECDSA_SHA256 || !ecdsaVerify(this.clientKey!, Buffer.concat(this.transcript), signature)) {
      throw new HandshakeFailure(AlertDescription.decryptError, 'CertificateVerify does not verify');
    }
    this.record(msg);
    this.awaitingCcs = true;
  }

  private onClientFinished(msg: HandshakeMessage): void {
    if (!this.master) throw this.unexpected(msg);
    this.verifyPeerFinished(msg);
    if (!this.resumed) {
      const finished = this.message(HandshakeType.finished, this.finishedFor(false), 1);
      this.host.sendFlight([{ kind: 'ccs' }, finished], false);
    }
    this.complete();
  }
}
