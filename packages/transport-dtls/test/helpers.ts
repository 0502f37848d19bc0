import type { Peer } from '@lwm2m-ts/coap';
import type { DtlsTransport } from '../src/index';

export const PSK = Buffer.from('secretPSK');
export const pskLookup = (identity: string) => (identity === 'CoAP' ? PSK : undefined);

/** Resolves with the next frame the transport delivers (bounded wait). */
export function nextFrame(t: DtlsTransport, timeoutMs = 5000): Promise<{ frame: Buffer; peer: Peer }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame received in time')), timeoutMs);
    t.onReceive((frame, peer) => {
      clearTimeout(timer);
      resolve({ frame: Buffer.from(frame), peer });
    });
  });
}

export const serverPeer = (t: DtlsTransport): Peer => {
  const a = t.localAddress()!;
  return { address: '127.0.0.1', port: a.port, key: `127.0.0.1|${a.port}` };
};
