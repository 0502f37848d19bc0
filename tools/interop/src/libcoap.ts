/** libcoap 4.3.x (Debian libcoap3-bin) helpers: its server as a background peer, its client as a command. */
import { createSocket } from 'node:dgram';
import { type Background, hasCommand, type RunResult, run, startBackground } from './peers';

export const LIBCOAP_SERVER = 'coap-server-notls';
export const LIBCOAP_CLIENT = 'coap-client-notls';
export const haveLibcoap = () => hasCommand(LIBCOAP_SERVER) && hasCommand(LIBCOAP_CLIENT);

/** True when something at host:port answers a CoAP ping (empty CON) with RST. */
export async function answersPing(host: string, port: number): Promise<boolean> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      socket.on('message', (m) => {
        clearTimeout(timer);
        resolve(m.length >= 4 && (m[0]! & 0x30) >> 4 === 3 && m[2] === 0x12 && m[3] === 0x34);
      });
      socket.on('error', () => resolve(false));
      socket.send(Uint8Array.of(0x40, 0x00, 0x12, 0x34), port, host);
    });
  } finally {
    socket.close();
  }
}

export function startLibcoapServer(host: string, port: number, extra: readonly string[] = []): Promise<Background> {
  return startBackground(LIBCOAP_SERVER, ['-A', host, '-p', String(port), ...extra], () => answersPing(host, port));
}

/** `coap-client-notls -B <s> ...args uri`. It exits 0 even on failure: callers assert on output. */
export function libcoapClient(
  args: readonly string[],
  options: { input?: string | Uint8Array; breakAfterS?: number } = {},
): Promise<RunResult> {
  const b = options.breakAfterS ?? 5;
  return run(LIBCOAP_CLIENT, ['-B', String(b), ...args], {
    timeoutMs: (b + 5) * 1000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

/** libcoap's TLS-capable builds (Debian libcoap3-bin): DTLS, TLS and RPK need them. */
export const GNUTLS_CLIENT = 'coap-client-gnutls';
export const OPENSSL_CLIENT = 'coap-client-openssl';
export const GNUTLS_SERVER = 'coap-server-gnutls';
export const OPENSSL_SERVER = 'coap-server-openssl';
export const haveSecureLibcoap = () =>
  [GNUTLS_CLIENT, OPENSSL_CLIENT, GNUTLS_SERVER, OPENSSL_SERVER].every((c) => hasCommand(c));

/** `<client> -B <s> ...args` for any libcoap client build; exits 0 even on failure: assert on output. */
export function libcoapTool(
  client: string,
  args: readonly string[],
  options: { breakAfterS?: number } = {},
): Promise<RunResult> {
  const b = options.breakAfterS ?? 4;
  return run(client, ['-B', String(b), ...args], { timeoutMs: (b + 5) * 1000 });
}

/** A libcoap server build on host: UDP+TCP on `port`, DTLS+TLS on `port + 1`; ready when UDP answers a ping. */
export function startLibcoapSecureServer(
  server: string,
  host: string,
  port: number,
  extra: readonly string[],
): Promise<Background> {
  return startBackground(server, ['-A', host, '-p', String(port), ...extra], () => answersPing(host, port));
}
