/** Shared secrets of the transport benchmark: TLS-PSK for coaps+tcp and one OSCORE context per client connection. */
import { SecurityContext } from '@lwm2m-ts/oscore';

export const BENCH_PSK = { identity: 'bench', key: new TextEncoder().encode('lwm2m-ts bench psk') };

/** coaps (DTLS 1.2): the LwM2M mandatory PSK suite. */
export const BENCH_DTLS_SUITE = 'TLS_PSK_WITH_AES_128_CCM_8' as const;

const MASTER_SECRET = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const SERVER_ID = Uint8Array.of(0xff);

/** Sender ID of client connection `i` (distinct, so each has its own replay window on the server). */
const clientId = (i: number) => Uint8Array.of(i >>> 8, i & 0xff);

export const serverOscoreContext = (i: number) =>
  new SecurityContext({ masterSecret: MASTER_SECRET, senderId: SERVER_ID, recipientId: clientId(i) });

export const clientOscoreContext = (i: number) =>
  new SecurityContext({ masterSecret: MASTER_SECRET, senderId: clientId(i), recipientId: SERVER_ID });
