import { createECDH, type ECDH } from 'node:crypto';
import { AlertDescription, EC_CURVE_TYPE_NAMED, NAMED_CURVE_SECP256R1 } from '../constants';
import { ByteReader, ByteWriter } from '../wire/bytes';
import { HandshakeFailure } from './handshake-failure';

/** Ephemeral P-256 key pair for ECDHE (RFC 8422), uncompressed points only. */
export class EphemeralEcdh {
  private readonly ecdh: ECDH = createECDH('prime256v1');
  readonly publicPoint: Buffer;

  constructor() {
    this.publicPoint = this.ecdh.generateKeys();
  }

  sharedSecret(peerPoint: Buffer): Buffer {
    if (peerPoint.length !== 65 || peerPoint[0] !== 4) {
      throw new HandshakeFailure(
        AlertDescription.illegalParameter,
        'peer ECDH point is not an uncompressed P-256 point',
      );
    }
    try {
      return this.ecdh.computeSecret(peerPoint);
    } catch {
      throw new HandshakeFailure(AlertDescription.illegalParameter, 'peer ECDH point is not on the curve');
    }
  }
}

/** ServerECDHParams: curve_type named_curve, secp256r1, point<1..2^8-1>. */
export const encodeEcdhParams = (point: Buffer): Buffer =>
  new ByteWriter().u8(EC_CURVE_TYPE_NAMED).u16(NAMED_CURVE_SECP256R1).vec(1, point).finish();

export function parseEcdhParams(r: ByteReader): { params: Buffer; point: Buffer } {
  const start = r.offset;
  const curveType = r.u8('curve_type');
  const curve = r.u16('named_curve');
  if (curveType !== EC_CURVE_TYPE_NAMED || curve !== NAMED_CURVE_SECP256R1) {
    throw new HandshakeFailure(AlertDescription.handshakeFailure, 'server chose a curve other than secp256r1');
  }
  const point = r.vec(1, 'ec point');
  return { params: r.buf.subarray(start, r.offset), point };
}

export const readPskIdentity = (r: ByteReader): Buffer => r.vec(2, 'psk_identity');
export { ByteReader };
