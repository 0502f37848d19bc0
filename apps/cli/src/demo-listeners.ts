/**
 * The extra listeners of `coap serve` besides UDP: DTLS (coaps), TCP (coap+tcp), TLS (coaps+tcp)
 * and WebSockets (coap+ws). Each is checked for the credentials it needs before anything binds.
 */
import { createServer as createHttpsServer } from 'node:https';
import type { Transport } from '@lwm2m-ts/coap';
import { createDtlsServer, type DtlsServerOptions } from '@lwm2m-ts/transport-dtls';
import { createTcpTransport, type TcpTlsOptions } from '@lwm2m-ts/transport-tcp';
import { createWsTransport } from '@lwm2m-ts/transport-ws';
import { CliError, ExitCode } from './cli-io';
import type { Credentials } from './credentials';

export interface ListenerPorts {
  readonly dtlsPort?: number;
  readonly tcpPort?: number;
  readonly tlsPort?: number;
  readonly wsPort?: number;
  /** coaps+ws: WebSockets over TLS (needs --cert/--key). */
  readonly wssPort?: number;
}

const usage = (message: string) => new CliError(message, ExitCode.USAGE);

/** Usage errors for a listener without the credentials it needs (called before binding anything). */
export function checkListenerCredentials(ports: ListenerPorts, c: Credentials): void {
  if (ports.dtlsPort !== undefined && !c.psk && !c.cert && !c.rpkPrivateKey)
    throw usage(
      '--dtls-port needs credentials: --psk-identity ID --psk-key HEX, --cert FILE --key FILE, and/or --rpk FILE',
    );
  if (ports.tlsPort !== undefined && !c.psk && !c.cert)
    throw usage('--tls-port needs credentials: --cert FILE --key FILE and/or --psk-identity ID --psk-key HEX');
  if (ports.wssPort !== undefined && !c.cert) throw usage('--wss-port needs a certificate: --cert FILE --key FILE');
  if (ports.dtlsPort === undefined && ports.tlsPort === undefined && ports.wssPort === undefined) {
    const given = [
      c.psk && '--psk-identity/--psk-key',
      c.cert && '--cert/--key',
      c.rpkPrivateKey && '--rpk',
      c.ca && '--ca',
    ]
      .filter(Boolean)
      .join(', ');
    if (given) throw usage(`${given} given without --dtls-port, --tls-port or --wss-port`);
  }
  if (c.peerRpk && !c.rpkPrivateKey) throw usage('--peer-rpk needs --rpk FILE (our own raw public key)');
}

export function dtlsServerOptions(host: string, port: number, c: Credentials): DtlsServerOptions {
  const psk = c.psk;
  const peerRpk = c.peerRpk;
  return {
    host,
    port,
    ...(psk ? { psk: (identity: string) => (identity === psk.identity ? psk.key : undefined) } : {}),
    ...(c.cert && c.key ? { certificate: c.cert, privateKey: c.key } : {}),
    // --ca: clients must present a certificate issued by it.
    ...(c.ca ? { trustedCertificates: [c.ca] } : {}),
    // --rpk: clients authenticate with their own raw public key (--peer-rpk pins it; else any key).
    ...(c.rpkPrivateKey ? { rpk: { privateKey: c.rpkPrivateKey, trusted: peerRpk ? [peerRpk] : () => true } } : {}),
  };
}

export function tlsServerOptions(c: Credentials): TcpTlsOptions {
  const psk = c.psk;
  return {
    ...(c.cert && c.key ? { cert: c.cert, key: c.key } : {}),
    ...(c.ca ? { ca: c.ca, requestCert: true } : {}),
    ...(psk ? { pskKey: (identity: string) => (identity === psk.identity ? psk.key : undefined) } : {}),
  };
}

export interface OpenedListener {
  readonly url: string;
  readonly transport: Transport;
}

const url = (scheme: string, host: string, port: number) =>
  `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Binds every requested listener on `host`; on a failure closes the ones already bound and rethrows. */
export async function openListeners(host: string, ports: ListenerPorts, c: Credentials): Promise<OpenedListener[]> {
  const opened: OpenedListener[] = [];
  const add = async (scheme: string, flag: string, port: number, open: () => Promise<Transport>) => {
    let transport: Transport;
    try {
      transport = await open();
    } catch (err) {
      throw bindError(err, url(scheme, host, port), flag);
    }
    opened.push({ url: url(scheme, host, transport.localAddress()?.port ?? port), transport });
  };
  try {
    if (ports.dtlsPort !== undefined) {
      const options = dtlsServerOptions(host, ports.dtlsPort, c);
      await add('coaps', '--dtls-port', ports.dtlsPort, () => createDtlsServer(options));
    }
    if (ports.tcpPort !== undefined) {
      const port = ports.tcpPort;
      await add('coap+tcp', '--tcp-port', port, () => createTcpTransport({ host, port }));
    }
    if (ports.tlsPort !== undefined) {
      const port = ports.tlsPort;
      await add('coaps+tcp', '--tls-port', port, () => createTcpTransport({ host, port, tls: tlsServerOptions(c) }));
    }
    if (ports.wsPort !== undefined) {
      const port = ports.wsPort;
      await add('coap+ws', '--ws-port', port, () => createWsTransport({ host, port }));
    }
    if (ports.wssPort !== undefined) {
      const port = ports.wssPort;
      await add('coaps+ws', '--wss-port', port, () => openSecureWs(host, port, c));
    }
  } catch (err) {
    await Promise.all(opened.map((l) => l.transport.close().catch(() => {})));
    throw err;
  }
  return opened;
}

/** `cannot listen on coap+tcp://127.0.0.1:5683: address already in use (...)`, exit 4. */
function bindError(err: unknown, where: string, flag: string): CliError {
  let code: string | undefined;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++)
    code ??= (e as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EADDRINUSE: `address already in use (another process listens on this port; pick another ${flag} or stop it)`,
    EACCES: `permission denied (ports below 1024 need privileges; pick another ${flag})`,
    EADDRNOTAVAIL: 'address not available on this machine (check --host)',
  };
  const reason = (code && reasons[code]) ?? (err instanceof Error ? err.message : String(err));
  return new CliError(`cannot listen on ${where}: ${reason}`, ExitCode.NETWORK);
}

/** coaps+ws: an HTTPS server of our own whose upgrades the WebSocket transport answers; closing closes both. */
async function openSecureWs(host: string, port: number, c: Credentials): Promise<Transport> {
  const https = createHttpsServer({ cert: c.cert, key: c.key }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('CoAP over WebSockets: upgrade required\n');
  });
  await new Promise<void>((resolve, reject) => {
    https.once('error', reject);
    https.listen(port, host, () => {
      https.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot listen on ${url('coaps+ws', host, port)}: ${err.code ?? err.message}`, { cause: err });
  });
  const ws = await createWsTransport({ server: https, secure: true });
  return {
    reliable: ws.reliable,
    framing: ws.framing,
    scheme: ws.scheme,
    send: (peer, frame) => ws.send(peer, frame),
    onReceive: (handler) => ws.onReceive(handler),
    onPeerClosed: (handler) => ws.onPeerClosed?.(handler),
    resolvePeer: (h, p) => ws.resolvePeer(h, p),
    localAddress: () => {
      const a = https.address();
      return a && typeof a === 'object' ? { address: a.address, port: a.port } : undefined;
    },
    async close() {
      await ws.close();
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    },
  };
}
