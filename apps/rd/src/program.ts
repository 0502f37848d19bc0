/** The lwm2m-rd command line. */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_DISCOVERY_GROUP, discoverCommand } from './discover-command';
import { type RdServer, startRdServer } from './rd-server';

const port = (v: string): number => {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return Number(v);
};
const positive = (v: string): number => {
  if (!/^\d{1,10}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(v);
};

/** "identity:secret" (UTF-8 secret) or "identity:hex:0a1b..." */
const pskEntry = (v: string, previous: Map<string, Uint8Array> = new Map()): Map<string, Uint8Array> => {
  const colon = v.indexOf(':');
  if (colon <= 0 || colon === v.length - 1)
    throw new InvalidArgumentError('expected identity:key or identity:hex:<hex>');
  const identity = v.slice(0, colon);
  const key = v.slice(colon + 1);
  let bytes: Uint8Array;
  if (key.startsWith('hex:')) {
    const hex = key.slice(4);
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new InvalidArgumentError('hex key: an even number of hex digits');
    bytes = Uint8Array.from(hex.match(/../g)!.map((b) => Number.parseInt(b, 16)));
  } else bytes = new TextEncoder().encode(key);
  return new Map(previous).set(identity, bytes);
};

export interface ProgramIo {
  out(line: string): void;
  err(line: string): void;
  /** Called once the server is up (tests). */
  started?(server: RdServer): void;
}

export function buildProgram(io: ProgramIo): Command {
  const program = new Command('lwm2m-rd')
    .description('CoRE Resource Directory (RFC 9176) over CoAP/UDP, with an optional HTTP status page.')
    .option('--host <address>', 'address to bind (use :: or 0.0.0.0 to serve the network)', '127.0.0.1')
    .option('--port <port>', 'CoAP UDP port', port, 5683)
    .option('--http-port <port>', 'serve a status page and /registrations JSON on this port (0 = any)', port)
    .option('--http-host <address>', 'status page address', '127.0.0.1')
    .option('--multicast', 'also answer discovery sent to 224.0.1.187 / ff02::fe (RFC 9176 §4)')
    .option('--multicast-group <address>', 'another RD group, e.g. ff05::fe')
    .option('--multicast-interface <address>', 'interface address to join the group on')
    .option(
      '--dtls-port <port>',
      'also serve coaps (DTLS 1.2 PSK) here; updates then need the registrant identity',
      port,
    )
    .option('--psk <identity:key>', 'a DTLS PSK (repeatable; identity:hex:<hex> for binary keys)', pskEntry)
    .option('--max-lifetime <seconds>', 'refuse registrations with a longer lt', positive)
    .option('--max-registrations <n>', 'answer 5.03 beyond this many registrations', positive)
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride()
    .action(async (o: Record<string, unknown>) => {
      const server = await startRdServer({
        host: o.host as string,
        port: o.port as number,
        ...(o.httpPort !== undefined ? { httpPort: o.httpPort as number } : {}),
        httpHost: o.httpHost as string,
        multicast: o.multicast === true || o.multicastGroup !== undefined,
        ...(o.multicastGroup ? { multicastGroup: o.multicastGroup as string } : {}),
        ...(o.multicastInterface ? { multicastInterface: o.multicastInterface as string } : {}),
        ...(o.dtlsPort !== undefined ? { dtlsPort: o.dtlsPort as number } : {}),
        ...(o.psk !== undefined ? { psk: o.psk as Map<string, Uint8Array> } : {}),
        ...(o.maxLifetime !== undefined ? { maxLifetimeS: o.maxLifetime as number } : {}),
        ...(o.maxRegistrations !== undefined ? { maxRegistrations: o.maxRegistrations as number } : {}),
        log: (l) => io.out(`${new Date().toISOString()} ${l}`),
      });
      io.started?.(server);
    });
  program.enablePositionalOptions();
  program
    .command('discover')
    .description('find Resource Directories by multicast: GET /.well-known/core?rt=core.rd* to the RD group')
    .option('--group <address>', 'RD multicast group (ff02::fe%<if> for IPv6)', DEFAULT_DISCOVERY_GROUP)
    .option('--port <port>', 'CoAP port of the group', port, 5683)
    .option('--timeout <ms>', 'how long to collect answers', positive, 2000)
    .action(async (o: { group: string; port: number; timeout: number }) => {
      const lines = await discoverCommand({ group: o.group, port: o.port, timeoutMs: o.timeout });
      for (const l of lines) io.out(l);
      if (lines.length === 0) {
        io.err(`no resource directory answered on ${o.group} port ${o.port} within ${o.timeout} ms`);
        process.exitCode = 1;
      }
    });
  return program;
}
