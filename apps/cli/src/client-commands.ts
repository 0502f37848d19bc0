/** get/post/put/delete/fetch/patch/ipatch, observe and discover: one request (or observation) each. */

import { CoapError, CoapSendError, Endpoint, type Transport } from '@lwm2m-ts/coap';
import { type CoapMessage, type CoapUri, CodecError, isSuccessCode, OptionNumber, parseCoapUri } from '@lwm2m-ts/codec';
import { createOscoreLayer } from '@lwm2m-ts/oscore';
import { DtlsTransport } from '@lwm2m-ts/transport-dtls';
import { UdpTransportError } from '@lwm2m-ts/transport-udp';
import { CliError, type CliIo, ExitCode } from './cli-io';
import { openClientTransport } from './client-transport';
import { describeCode } from './code-names';
import { loadCredentials, type SecurityFlags } from './credentials';
import { traceTransport } from './message-trace';
import { readPayload } from './payload-source';
import { responseJson, responseText } from './response-output';

export type RequestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'PATCH' | 'IPATCH';

export interface ClientOptions extends SecurityFlags {
  readonly contentFormat?: number;
  readonly accept?: number;
  readonly file?: string;
  readonly non?: boolean;
  readonly blockSize?: number;
  /** Seconds. */
  readonly timeout: number;
  readonly verbose?: boolean;
  readonly json?: boolean;
}

export interface ObserveCliOptions extends ClientOptions {
  /** Stop after this many responses (the first response counts). */
  readonly count?: number;
  /** Stop after this many seconds. */
  readonly duration?: number;
}

/** Parses a URI of any of the six CoAP schemes. */
export function parseTarget(uri: string): CoapUri {
  try {
    return parseCoapUri(uri);
  } catch (err) {
    throw new CliError(
      `bad URI "${uri}": ${(err as Error).message} (expected coap[s][+tcp|+ws]://host[:port]/path[?query])`,
      ExitCode.USAGE,
    );
  }
}

/**
 * A client endpoint for the URI's scheme (an ephemeral UDP/DTLS port of the URI's address family,
 * or a connection opened on the first request), with the OSCORE layer when --oscore-context is given.
 */
async function openEndpoint(u: CoapUri, io: CliIo, o: ClientOptions): Promise<ClientEndpoint> {
  const credentials = loadCredentials(o);
  let transport: Transport;
  try {
    transport = await openClientTransport(u, credentials, {
      warn: (line) => io.err(line),
      connectTimeoutMs: o.timeout * 1000,
    });
  } catch (err) {
    throw toCliError(err);
  }
  const dtls = transport instanceof DtlsTransport ? transport : undefined;
  if (o.verbose) transport = traceTransport(transport, (line) => io.err(line));
  const layers = credentials.oscore ? [createOscoreLayer({ contexts: credentials.oscore, requireOscore: false })] : [];
  let sendFailure: Error | undefined;
  const endpoint = new Endpoint({
    transport,
    layers,
    requestTimeoutMs: o.timeout * 1000,
    // UDP and DTLS keep retransmitting after a failed send (a failed DTLS handshake, ICMP
    // unreachable); remember why, so a timeout can say what actually went wrong.
    onError: (e, where) => {
      if (where === 'send' && e instanceof Error) sendFailure = e;
    },
  });
  return {
    endpoint,
    // Some DTLS servers (gnutls) drop a handshake with a wrong PSK silently: say where it stopped.
    sendFailure: () =>
      sendFailure ??
      (dtls && dtls.stats().sessions === 0
        ? new Error('the DTLS handshake did not complete (wrong credentials, or no DTLS server there?)')
        : undefined),
  };
}

interface ClientEndpoint {
  readonly endpoint: Endpoint;
  /** Why nothing came back, if the transport knows: the last send failure, or a DTLS handshake that never finished. */
  sendFailure(): Error | undefined;
}

export async function runRequest(
  method: RequestMethod,
  uri: string,
  payloadArg: string | undefined,
  o: ClientOptions,
  io: CliIo,
): Promise<number> {
  const u = parseTarget(uri);
  const payload = await readPayload(payloadArg, o.file, io.stdin);
  const { endpoint, sendFailure } = await openEndpoint(u, io, o);
  try {
    const response = await endpoint.request({
      method,
      uri,
      ...(payload !== undefined ? { payload } : {}),
      ...(o.contentFormat !== undefined ? { contentFormat: o.contentFormat } : {}),
      ...(o.accept !== undefined ? { accept: o.accept } : {}),
      confirmable: !o.non,
      timeoutMs: o.timeout * 1000,
      ...(o.blockSize !== undefined ? { block1Size: o.blockSize, block2Size: o.blockSize } : {}),
    });
    return printResponse(response.message, o, io);
  } catch (err) {
    throw toCliError(err, uri, o.timeout, sendFailure());
  } finally {
    await endpoint.close();
  }
}

/** /.well-known/core of the URI's host; the URI's query (e.g. `?rt=ticks`) filters the links. */
export async function runDiscover(uri: string, o: ClientOptions, io: CliIo): Promise<number> {
  const u = parseTarget(uri);
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  const query = u.query.length ? `?${u.query.map(encodeURIComponent).join('&').replace(/%3D/gi, '=')}` : '';
  const target = u.path.length ? uri : `${u.scheme}://${host}:${u.port}/.well-known/core${query}`;
  return runRequest('GET', target, undefined, o, io);
}

export async function runObserve(uri: string, o: ObserveCliOptions, io: CliIo): Promise<number> {
  const u = parseTarget(uri);
  const { endpoint, sendFailure } = await openEndpoint(u, io, o);
  const observation = endpoint.observe({
    uri,
    ...(o.accept !== undefined ? { accept: o.accept } : {}),
    confirmable: !o.non,
    timeoutMs: o.timeout * 1000,
    ...(o.blockSize !== undefined ? { block2Size: o.blockSize } : {}),
  });
  let stopTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    void observation.cancel().catch(() => {});
  };
  io.signal.addEventListener('abort', stop, { once: true });
  if (o.duration !== undefined) stopTimer = setTimeout(stop, o.duration * 1000);
  let seen = 0;
  let status: number = ExitCode.OK;
  try {
    for await (const notification of observation) {
      const m = notification.message;
      const code = printResponse(m, o, io);
      if (code !== ExitCode.OK) {
        status = code;
        break;
      }
      seen += 1;
      if (seen === 1 && m.options.every((opt) => opt.number !== OptionNumber.OBSERVE)) {
        io.err(`coap: ${uri} answered without Observe: the resource is not observable`);
        break;
      }
      if (o.count !== undefined && seen >= o.count) break;
    }
  } catch (err) {
    if (!io.signal.aborted) throw toCliError(err, uri, o.timeout, sendFailure());
  } finally {
    if (stopTimer) clearTimeout(stopTimer);
    io.signal.removeEventListener('abort', stop);
    await observation.cancel().catch(() => {});
    await endpoint.close();
  }
  return status;
}

function printResponse(m: CoapMessage, o: ClientOptions, io: CliIo): number {
  const ok = isSuccessCode(m.code);
  if (o.json) io.out(JSON.stringify(responseJson(m)));
  else if (ok) {
    const text = responseText(m);
    if (text.length > 0) io.out(text);
  } else {
    const diagnostic = m.payload.length ? `: ${new TextDecoder().decode(m.payload)}` : '';
    io.err(`coap: ${describeCode(m.code)}${diagnostic}`);
  }
  if (o.verbose && ok) io.err(`coap: ${describeCode(m.code)}`);
  return ok ? ExitCode.OK : ExitCode.ERROR_RESPONSE;
}

/** Maps engine/transport failures to a sentence and an exit status. */
export function toCliError(err: unknown, uri?: string, timeoutSeconds?: number, sendFailure?: Error): CliError {
  if (err instanceof CliError) return err;
  const e = err as Error & { code?: string };
  if (CoapSendError.isInstance(err)) {
    // The transport refused to deliver (failed handshake, refused connection): say why, not "timeout".
    const cause = err.cause instanceof Error ? err.cause : err;
    return new CliError(
      `cannot reach ${uri ?? 'the server'}: ${withCauses(cause)}${looksLikeSecurity(cause) ? ' (check the credentials)' : ''}`,
      ExitCode.NETWORK,
    );
  }
  if (e?.name === 'CoapTimeoutError' && sendFailure) {
    return new CliError(
      `no response from ${uri ?? 'the server'}: ${withCauses(sendFailure)}${looksLikeSecurity(sendFailure) ? ' (check the credentials)' : ''}`,
      ExitCode.NETWORK,
    );
  }
  if (e?.name === 'CoapTimeoutError') {
    return new CliError(
      `no response from ${uri ?? 'the server'} within ${timeoutSeconds ?? '?'} s (is a CoAP server running there? raise --timeout)`,
      ExitCode.TIMEOUT,
    );
  }
  if (e?.name === 'CoapResetError')
    return new CliError(`${uri ?? 'the server'} rejected the message with RST`, ExitCode.NETWORK);
  if (CoapError.isInstance(err))
    return new CliError(`${describeCode(err.code)}: ${err.message}`, ExitCode.ERROR_RESPONSE);
  if (UdpTransportError.isInstance(err)) return new CliError(err.message, ExitCode.NETWORK);
  if (CodecError.isInstance(err)) return new CliError(`bad message: ${err.message}`, ExitCode.NETWORK);
  if (e instanceof TypeError) return new CliError(e.message, ExitCode.USAGE);
  if (e instanceof Error)
    return new CliError(`${withCauses(e)}${looksLikeSecurity(e) ? ' (check the credentials)' : ''}`, ExitCode.NETWORK);
  return new CliError(String(err), ExitCode.NETWORK);
}

/** `connection to x failed: cannot connect to ...: <TLS alert>`: the engine wraps transport errors. */
function withCauses(e: Error): string {
  let text = e.message.trim();
  let cause: unknown = e.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const more = cause.message.trim();
    if (!text.includes(more)) text += `: ${more}`;
    cause = cause.cause;
  }
  return text;
}

function looksLikeSecurity(e: Error): boolean {
  if (e.message.includes('wrong credentials')) return false;
  return /alert|handshake|decrypt|bad_record_mac|bad record mac|psk|certificate|self.signed|unknown ca|unable to verify/i.test(
    withCauses(e),
  );
}
