/** `lwm2m-server` flags (each with an environment variable) -> ServerAppOptions. */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ServerAppOptions } from '../app/start-server-app';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CommandLineResult {
  readonly options: ServerAppOptions;
  readonly logLevel: LogLevel;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is 0..65535 (0 = any free port)');
  return n;
}

function positiveMs(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('give a positive number of milliseconds');
  return n;
}

/** Reads a PEM file given on the command line (its text becomes the option's value). */
function pemFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new InvalidArgumentError(`${path} is not a PEM file`);
  return text;
}

function redisUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('give a Redis URL: redis://host:port');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new InvalidArgumentError('give a Redis URL: redis://host:port (or rediss://)');
  return value;
}

export function buildCommand(version: string): Command {
  return new Command('lwm2m-server')
    .description('LwM2M server + bootstrap server with a REST API, live events and a web UI.')
    .version(version)
    .addOption(
      new Option('--coap-host <host>', 'LwM2M server bind address (UDP)').env('LWM2M_COAP_HOST').default('0.0.0.0'),
    )
    .addOption(
      new Option('--coap-port <port>', 'LwM2M server port (UDP)').env('LWM2M_COAP_PORT').argParser(port).default(5683),
    )
    .addOption(
      new Option('--bs-host <host>', 'bootstrap server bind address (default: --coap-host)').env('LWM2M_BS_HOST'),
    )
    .addOption(
      new Option('--bs-port <port>', 'bootstrap server port (UDP)').env('LWM2M_BS_PORT').argParser(port).default(5783),
    )
    .addOption(new Option('--no-bootstrap', 'run no bootstrap server'))
    .addOption(
      new Option(
        '--coaps-port <port>',
        'LwM2M server over CoAP/DTLS (coaps: PSK and RPK from the security store, X.509) (default: 5684)',
      )
        .env('LWM2M_COAPS_PORT')
        .argParser(port),
    )
    .addOption(
      new Option('--dtls-port <port>', 'alias of --coaps-port').env('LWM2M_DTLS_PORT').argParser(port).hideHelp(),
    )
    .addOption(
      new Option('--coaps-host <host>', 'CoAP/DTLS bind address (default: --coap-host)').env('LWM2M_COAPS_HOST'),
    )
    .addOption(new Option('--dtls-host <host>', 'alias of --coaps-host').env('LWM2M_DTLS_HOST').hideHelp())
    .addOption(
      new Option(
        '--bs-coaps-port <port>',
        'bootstrap server over CoAP/DTLS (bootstrap credentials: /api/security/bootstrap) (default: 5784)',
      )
        .env('LWM2M_BS_COAPS_PORT')
        .argParser(port),
    )
    .addOption(new Option('--no-coaps', 'serve no CoAP/DTLS at all (neither LwM2M nor bootstrap)'))
    .addOption(
      new Option('--coaps-cert <file>', 'server X.509 certificate chain, PEM, leaf first (DTLS and TLS)')
        .env('LWM2M_COAPS_CERT')
        .argParser(pemFile),
    )
    .addOption(
      new Option('--coaps-key <file>', 'private key (EC P-256, PEM) of --coaps-cert; also the RPK key by default')
        .env('LWM2M_COAPS_KEY')
        .argParser(pemFile),
    )
    .addOption(
      new Option('--coaps-rpk <file>', 'private key (EC P-256, PEM) for raw-public-key DTLS handshakes')
        .env('LWM2M_COAPS_RPK')
        .argParser(pemFile),
    )
    .addOption(
      new Option('--ca <file>', 'trusted CA certificates (PEM) for client X.509 certificates')
        .env('LWM2M_CA')
        .argParser(pemFile),
    )
    .addOption(
      new Option('--tls-port <port>', 'also serve LwM2M over CoAP/TLS (coaps+tcp) on this port')
        .env('LWM2M_TLS_PORT')
        .argParser(port),
    )
    .addOption(new Option('--tls-host <host>', 'CoAP/TLS bind address (default: --coap-host)').env('LWM2M_TLS_HOST'))
    .addOption(
      new Option('--tcp-port <port>', 'also serve LwM2M over CoAP/TCP on this port')
        .env('LWM2M_TCP_PORT')
        .argParser(port),
    )
    .addOption(new Option('--tcp-host <host>', 'CoAP/TCP bind address (default: --coap-host)').env('LWM2M_TCP_HOST'))
    .addOption(
      new Option('--coap-ws', 'also serve LwM2M over CoAP/WebSockets on the HTTP port (/.well-known/coap)').env(
        'LWM2M_COAP_WS',
      ),
    )
    .addOption(
      new Option('--http-host <host>', 'HTTP API + web UI bind address').env('LWM2M_HTTP_HOST').default('127.0.0.1'),
    )
    .addOption(
      new Option('--http-port <port>', 'HTTP API + web UI port').env('LWM2M_HTTP_PORT').argParser(port).default(8080),
    )
    .addOption(
      new Option('--api-token <token>', 'bearer token the API requires (mandatory on a non-loopback --http-host)').env(
        'LWM2M_API_TOKEN',
      ),
    )
    .addOption(
      new Option('-m, --models <dir>', 'folder of DDF XML object models, loaded on top of the embedded ones').env(
        'LWM2M_MODELS',
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'log level').env('LWM2M_LOG_LEVEL').choices(LOG_LEVELS).default('info'),
    )
    .addOption(
      new Option('--request-timeout <ms>', 'default timeout of requests to devices')
        .env('LWM2M_REQUEST_TIMEOUT')
        .argParser(positiveMs),
    )
    .addOption(
      new Option('--awake-time <ms>', 'queue mode: how long a client counts as awake after its last message')
        .env('LWM2M_AWAKE_TIME')
        .argParser(positiveMs),
    )
    .addOption(
      new Option(
        '--redis <url>',
        'cluster mode: shared stores, forwarding and events over this Redis (redis://host:port)',
      )
        .env('LWM2M_REDIS')
        .argParser(redisUrl),
    )
    .addOption(
      new Option('--node-id <name>', "cluster mode: this node's unique name (default: random)").env('LWM2M_NODE_ID'),
    )
    .addOption(
      new Option(
        '--redis-prefix <prefix>',
        'cluster mode: Redis key prefix, the same on every node (default: lwm2m:)',
      ).env('LWM2M_REDIS_PREFIX'),
    )
    .addOption(
      new Option('--ui-dir <dir>', 'folder of the built web UI (default: the one shipped in dist/ui)').env(
        'LWM2M_UI_DIR',
      ),
    );
}

interface Parsed {
  coapHost: string;
  coapPort: number;
  bsHost?: string;
  bsPort: number;
  bootstrap: boolean;
  tcpPort?: number;
  tcpHost?: string;
  dtlsPort?: number;
  dtlsHost?: string;
  coapsPort?: number;
  coapsHost?: string;
  bsCoapsPort?: number;
  coaps: boolean;
  coapsCert?: string;
  coapsKey?: string;
  coapsRpk?: string;
  ca?: string;
  tlsPort?: number;
  tlsHost?: string;
  coapWs?: boolean;
  httpHost: string;
  httpPort: number;
  apiToken?: string;
  models?: string;
  logLevel: LogLevel;
  requestTimeout?: number;
  awakeTime?: number;
  uiDir?: string;
  redis?: string;
  nodeId?: string;
  redisPrefix?: string;
}

/** Parses `argv` (without node and script); commander exits on --help/--version and bad flags. */
export function parseCommandLine(argv: readonly string[], version: string, defaultUiDir?: string): CommandLineResult {
  const command = buildCommand(version);
  command.parse([...argv], { from: 'user' });
  const o = command.opts<Parsed>();
  const uiDir = o.uiDir ?? defaultUiDir;
  if (o.coapsCert && !o.coapsKey) command.error('error: --coaps-cert needs --coaps-key');
  const coapsPort = o.coapsPort ?? o.dtlsPort;
  const coapsHost = o.coapsHost ?? o.dtlsHost;
  const credentials = {
    ...(o.coapsCert ? { certificate: o.coapsCert } : {}),
    ...(o.coapsKey ? { privateKey: o.coapsKey } : {}),
    ...(o.coapsRpk ? { rpkPrivateKey: o.coapsRpk } : {}),
    ...(o.ca ? { trustedCertificates: o.ca } : {}),
  };
  return {
    logLevel: o.logLevel,
    options: {
      coapHost: o.coapHost,
      coapPort: o.coapPort,
      ...(o.bsHost !== undefined ? { bsHost: o.bsHost } : {}),
      bsPort: o.bsPort,
      bootstrap: o.bootstrap,
      ...(o.tcpPort !== undefined ? { tcpPort: o.tcpPort } : {}),
      coaps: o.coaps,
      ...(coapsPort !== undefined ? { coapsPort } : {}),
      ...(coapsHost !== undefined ? { coapsHost } : {}),
      ...(o.bsCoapsPort !== undefined ? { bsCoapsPort: o.bsCoapsPort } : {}),
      ...(Object.keys(credentials).length > 0 ? { credentials } : {}),
      ...(o.tlsPort !== undefined ? { tlsPort: o.tlsPort } : {}),
      ...(o.tlsHost !== undefined ? { tlsHost: o.tlsHost } : {}),
      ...(o.tcpHost !== undefined ? { tcpHost: o.tcpHost } : {}),
      ...(o.coapWs ? { coapOverWebSockets: true } : {}),
      httpHost: o.httpHost,
      httpPort: o.httpPort,
      ...(o.apiToken ? { apiToken: o.apiToken } : {}),
      ...(o.models ? { modelsDir: o.models } : {}),
      ...(o.requestTimeout !== undefined ? { requestTimeoutMs: o.requestTimeout } : {}),
      ...(o.awakeTime !== undefined ? { awakeTimeMs: o.awakeTime } : {}),
      ...(uiDir ? { uiDir } : {}),
      ...(o.redis ? { redis: o.redis } : {}),
      ...(o.nodeId ? { nodeId: o.nodeId } : {}),
      ...(o.redisPrefix !== undefined ? { redisPrefix: o.redisPrefix } : {}),
      version,
    },
  };
}
