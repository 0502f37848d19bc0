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
