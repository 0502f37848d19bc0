/** The `coap` command line (commander). `runCli` is the whole CLI, importable and testable in-process. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, type CliIo, ExitCode } from './cli-io';
import {
  type ClientOptions,
  type ObserveCliOptions,
  type RequestMethod,
  runDiscover,
  runObserve,
  runRequest,
  toCliError,
} from './client-commands';
import { parseContentFormat } from './content-formats';
import { loadCredentials, type SecurityFlags } from './credentials';
import { startDemoServer } from './demo-server';
import { traceTransport } from './message-trace';

const METHODS: readonly [string, RequestMethod, boolean][] = [
  ['get', 'GET', false],
  ['post', 'POST', true],
  ['put', 'PUT', true],
  ['delete', 'DELETE', false],
  ['fetch', 'FETCH', true],
  ['patch', 'PATCH', true],
  ['ipatch', 'IPATCH', true],
];

const contentFormatArg = (v: string) => {
  try {
    return parseContentFormat(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const positive = (what: string, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new InvalidArgumentError(`${what} must be a positive ${integer ? 'integer' : 'number'}`);
  return n;
};
const blockSizeArg = (v: string) => {
  const n = Number(v);
  if (![16, 32, 64, 128, 256, 512, 1024].includes(n))
    throw new InvalidArgumentError('block size must be 16, 32, 64, 128, 256, 512 or 1024');
  return n;
};
const portArg = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('port must be 0..65535');
  return n;
};

function securityOptions(cmd: Command): Command {
  return cmd
    .option('--psk-identity <id>', 'PSK identity (DTLS and TLS)')
    .option('--psk-key <hex>', 'PSK key as hex (73656372657450534b = "secretPSK")')
    .option('--rpk <file>', 'DTLS raw public key: our PEM EC (P-256) private key')
    .option('--peer-rpk <file>', "pin the peer's raw public key (PEM public or private key); default: any key")
    .option('--cert <file>', 'our PEM X.509 certificate (DTLS and TLS), with --key')
    .option('--key <file>', 'PEM private key of --cert')
    .option('--ca <file>', 'PEM CA certificate(s) that verify the peer (DTLS, TLS, wss)')
    .option('--oscore-context <file>', 'OSCORE (RFC 8613) security context, JSON with hex fields')
    .option('--oscore-seq <file>', 'where the OSCORE sender sequence number is kept (default: <context>.seq)');
}

function clientOptions(cmd: Command, withBody: boolean): Command {
  if (withBody) {
    cmd
      .option('-f, --file <path>', 'read the payload from a file ("-" for standard input)')
      .option(
        '-t, --content-format <cf>',
        'Content-Format of the payload: number, media type or alias (text, json, cbor, link, senml+json, senml+cbor, tlv)',
        contentFormatArg,
      );
  }
  return securityOptions(
    cmd
      .option('-a, --accept <cf>', 'Accept: preferred response Content-Format', contentFormatArg)
      .option('-n, --non', 'send a non-confirmable (NON) request (UDP, DTLS; TCP/TLS/WebSockets have no message types)')
      .option('-b, --block-size <bytes>', 'block size for Block1 uploads and Block2 downloads (16..1024)', blockSizeArg)
      .option('-T, --timeout <s>', 'give up after this many seconds', positive('timeout', false), 10)
      .option('-v, --verbose', 'print every CoAP message sent and received, one line each (stderr)')
      .option('--json', 'print the response as JSON (one object per response or notification)'),
  );
}

interface ServeCliOptions extends SecurityFlags {
  host?: string;
  port: number;
  dtlsPort?: number;
  tcpPort?: number;
  tlsPort?: number;
  wsPort?: number;
  wssPort?: number;
  tick: number;
  verbose?: boolean;
}

export function buildProgram(io: CliIo, setStatus: (code: number) => void): Command {
  const program = new Command('coap')
    .description(
      'CoAP client and demo server over UDP, DTLS, TCP, TLS and WebSockets, with OSCORE (RFC 7252, 7641, 7959, 8132, 8323, 8613)',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run "coap --help" for usage)');

  for (const [name, method, withBody] of METHODS) {
    const cmd = program
      .command(name)
      .description(`${method} request (the URI scheme picks the transport)`)
      .argument('<uri>', 'coap[s][+tcp|+ws]://host[:port]/path[?query]');
    if (withBody) cmd.argument('[payload]', 'request body as text (or use --file)');
    clientOptions(cmd, withBody).action(async (uri: string, ...rest: unknown[]) => {
      const payload = withBody ? (rest[0] as string | undefined) : undefined;
      const opts = (withBody ? rest[1] : rest[0]) as ClientOptions;
      setStatus(await runRequest(method, uri, payload, opts, io));
    });
  }

  clientOptions(
    program.command('observe').description('observe a resource (RFC 7641) until Ctrl-C, --count or --duration'),
    false,
  )
    .argument('<uri>', 'coap[s][+tcp|+ws]://host[:port]/path')
    .option('-c, --count <n>', 'stop after n responses (the first one counts)', positive('count', true))
    .option('-d, --duration <s>', 'stop after this many seconds', positive('duration', false))
    .action(async (uri: string, opts: ObserveCliOptions) => {
      setStatus(await runObserve(uri, opts, io));
    });

  clientOptions(
    program.command('discover').description('GET /.well-known/core; a query in the URI filters (coap://h/?rt=ticks)'),
    false,
  )
    .argument('<uri>', 'coap[s][+tcp|+ws]://host[:port][/?query]')
    .action(async (uri: string, opts: ClientOptions) => {
      setStatus(await runDiscover(uri, opts, io));
    });

  securityOptions(
    program
      .command('serve')
      .description(
        'run the demo server: /time (observable), /large (Block2), /upload (Block1), /store (FETCH, iPATCH), /.well-known/core',
      )
      .option('-H, --host <address>', 'address to bind (default :: with IPv4 fallback)')
      .option('-p, --port <port>', 'UDP port', portArg, 5683)
      .option('--dtls-port <port>', 'also serve coaps:// (DTLS 1.2; needs PSK, --cert/--key or --rpk)', portArg)
      .option('--tcp-port <port>', 'also serve coap+tcp:// (RFC 8323)', portArg)
      .option('--tls-port <port>', 'also serve coaps+tcp:// (needs --cert/--key and/or PSK)', portArg)
      .option('--ws-port <port>', 'also serve coap+ws:// (path /.well-known/coap)', portArg)
      .option('--wss-port <port>', 'also serve coaps+ws:// (WebSockets over TLS; needs --cert/--key)', portArg),
  )
    .addOption(
      new Option('--tick <ms>', 'interval between /time changes')
        .argParser(positive('tick', true))
        .default(1000)
        .hideHelp(),
    )
    .option('-v, --verbose', 'print every CoAP message sent and received (stderr)')
    .action(async (opts: ServeCliOptions) => {
      const server = await startDemoServer({
        ...(opts.host !== undefined ? { host: opts.host } : {}),
        port: opts.port,
        ...(opts.dtlsPort !== undefined ? { dtlsPort: opts.dtlsPort } : {}),
        ...(opts.tcpPort !== undefined ? { tcpPort: opts.tcpPort } : {}),
        ...(opts.tlsPort !== undefined ? { tlsPort: opts.tlsPort } : {}),
        ...(opts.wsPort !== undefined ? { wsPort: opts.wsPort } : {}),
        ...(opts.wssPort !== undefined ? { wssPort: opts.wssPort } : {}),
        credentials: loadCredentials(opts),
        tickMs: opts.tick,
        ...(opts.verbose ? { wrapTransport: (t) => traceTransport(t, (line) => io.err(line)) } : {}),
        onError: (e, where) => io.err(`coap serve: ${where}: ${(e as Error).message}`),
      });
      const oscore = opts.oscoreContext !== undefined ? ` (OSCORE required on ${server.urls[0]})` : '';
      io.out(`coap serve: listening on ${server.urls.join(', ')}${oscore} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await server.close();
      io.out('coap serve: stopped');
      setStatus(ExitCode.OK);
    });
  return program;
}

/** Runs the CLI with `args` (without node and script) and resolves with the exit status. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let status: number = ExitCode.OK;
  const program = buildProgram(io, (code) => {
    status = code;
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    const e = toCliError(err);
    io.err(`coap: ${e.message}`);
    return e instanceof CliError ? e.exitCode : ExitCode.NETWORK;
  }
}
