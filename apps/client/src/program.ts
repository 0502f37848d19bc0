/**
 * `lwm2m-simulate`: flags -> SimulatorOptions, the run (progress, console, duration, signals)
 * and the summary. Everything goes through `SimulatorIo` so tests run it in-process.
 */
import type { Readable, Writable } from 'node:stream';
import type { LwM2mVersion } from '@lwm2m-ts/client';
import { parseCoapUri } from '@lwm2m-ts/codec';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { runConsole } from './interactive';
import { parseObjectList } from './objects/catalog';
import { seededRandom } from './objects/simulated-instance';
import { createProgress, type ProgressReporter, summaryLine } from './progress';
import { type CredentialFlags, loadCredentials } from './security/credentials';
import { isSimulatedScheme, SCHEMES } from './security/device-transport';
import type { SimulatedDevice, SimulatorLog } from './simulated-device';
import { createSimulator, DEFAULT_SERVER, type SimulatorOptions } from './simulator';

export interface SimulatorIo {
  out(text: string): void;
  err(text: string): void;
  readonly stdin: Readable;
  readonly stdinIsTTY: boolean;
  /** stderr as a stream (the progress bar) and whether it is a terminal. */
  readonly stderr: Writable;
  readonly stderrIsTTY: boolean;
  /** stdout for the console prompt (only used on a terminal). */
  readonly stdout: Writable;
  /** Aborted on SIGINT / SIGTERM: de-register and exit. */
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

const number =
  (what: string, check: (n: number) => boolean, rule: string) =>
  (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !check(n))
      throw new InvalidArgumentError(`${what} must be ${rule} (got "${text}")`);
    return n;
  };

const coapUri = (text: string): string => {
  try {
    const u = parseCoapUri(text);
    if (!isSimulatedScheme(u.scheme))
      throw new Error(`${u.scheme}:// is not simulated (use ${SCHEMES.map((s) => `${s}://`).join(', ')})`);
    return text;
  } catch (e) {
    throw new InvalidArgumentError(`"${text}" is not a coap://HOST:PORT URI: ${(e as Error).message}`);
  }
};

export function buildProgram(): Command {
  return new Command('lwm2m-simulate')
    .description('Simulate LwM2M devices: one (with an interactive console) or thousands (with a progress bar).')
    .option(
      '-s, --server <uri>',
      'LwM2M server; the scheme picks the transport: coap, coaps (DTLS), coap+tcp, coaps+tcp (TLS), coap+ws',
      coapUri,
      DEFAULT_SERVER,
    )
    .option('-b, --bootstrap <uri>', 'bootstrap server: bootstrap first instead of registering directly', coapUri)
    .option('-e, --endpoint <name>', 'endpoint name; a fleet is NAME-0001, NAME-0002, ...', 'lwm2m-sim')
    .option(
      '-n, --count <n>',
      'number of devices',
      number('--count', (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1'),
      1,
    )
    .option(
      '-r, --ramp <per-second>',
      'devices started per second',
      number('--ramp', (n) => n > 0, '> 0'),
      100,
    )
    .option(
      '-l, --lifetime <seconds>',
      'registration lifetime',
      number('--lifetime', (n) => Number.isInteger(n) && n >= 1, 'a whole number of seconds >= 1'),
      300,
    )
    .option('-q, --queue', 'queue mode: sleep between exchanges', false)
    .option(
      '--awake-time <seconds>',
      'queue mode: awake time after each exchange',
      number('--awake-time', (n) => n > 0, '> 0'),
    )
    .option(
      '-o, --objects <list>',
      'objects to expose: names or ids, comma-separated (device,connectivity,location,temperature,humidity,setpoint,light,timer,button or all)',
      'all',
    )
    .option(
      '--rate <per-second>',
      'value changes per second per device (0 freezes the values)',
      number('--rate', (n) => n >= 0 && n <= 100, 'between 0 and 100'),
      1,
    )
    .addOption(new Option('--lwm2m-version <version>', 'LwM2M version').choices(['1.0', '1.1', '1.2']).default('1.1'))
    .option('--bind <host>', "local address for the devices' sockets")
    .option('--seed <n>', 'seed for reproducible values', number('--seed', Number.isInteger, 'a whole number'))
    .option(
      '--reboot-delay <ms>',
      'how long a reboot takes',
      number('--reboot-delay', (n) => n >= 0, '>= 0'),
      1000,
    )
    .option(
      '-d, --duration <seconds>',
      'run this long, then de-register and exit',
      number('--duration', (n) => n > 0, '> 0'),
    )
    .option('--psk-identity <id>', 'PSK identity (coaps, coaps+tcp); a fleet uses ID-0001, ID-0002, ...')
    .option('--psk-key <hex>', 'PSK key in hex')
    .option('--shared-psk', 'every device of a fleet uses the same PSK identity')
    .option('--rpk <file>', 'raw public key (coaps): PEM EC P-256 private key of the device')
    .option('--server-rpk <file>', "raw public key (coaps): the server's PEM public key to trust")
    .option('--cert <file>', 'X.509 (coaps, coaps+tcp): PEM client certificate')
    .option('--key <file>', 'X.509: PEM private key of --cert')
    .option('--ca <file>', "X.509: PEM CA certificate that signs the server's certificate")
    .option(
      '--oscore-context <file>',
      'OSCORE (coap): security context JSON (senderId, recipientId, masterSecret, ...)',
    )
    .option('-i, --interactive', 'read commands from stdin even when it is not a terminal')
    .option('--no-interactive', 'never read commands from stdin')
    .option('-v, --verbose', 'log every device event (a fleet logs only failures otherwise)', false)
    .option('--log-json', 'device events as JSON lines (pino) on stderr instead of text', false)
    .showHelpAfterError('(run lwm2m-simulate --help for the options)');
}

interface Flags extends CredentialFlags {
  server: string;
  bootstrap?: string;
  endpoint: string;
  count: number;
  ramp: number;
  lifetime: number;
  queue: boolean;
  awakeTime?: number;
  objects: string;
  rate: number;
  lwm2mVersion: LwM2mVersion;
  bind?: string;
  seed?: number;
  rebootDelay: number;
  duration?: number;
  interactive?: boolean;
  verbose: boolean;
  logJson: boolean;
}

/** Flags -> simulator options (throws InvalidArgumentError with the reason). */
export function optionsFromFlags(flags: Flags, log: SimulatorLog): SimulatorOptions {
  let objects: number[];
  try {
    objects = parseObjectList(flags.objects);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  let credentials: SimulatorOptions['credentials'];
  try {
    credentials = loadCredentials(flags);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return {
    server: flags.server,
    credentials,
    ...(flags.bootstrap !== undefined ? { bootstrap: flags.bootstrap } : {}),
    endpoint: flags.endpoint,
    count: flags.count,
    ramp: flags.ramp,
    lifetime: flags.lifetime,
    queue: flags.queue,
    ...(flags.awakeTime !== undefined ? { awakeTimeMs: flags.awakeTime * 1000 } : {}),
    objects,
    rate: flags.rate,
    lwm2mVersion: flags.lwm2mVersion,
    ...(flags.bind !== undefined ? { bindHost: flags.bind } : {}),
    ...(flags.seed !== undefined ? { random: seededRandom(flags.seed) } : {}),
    rebootDelayMs: flags.rebootDelay,
    log,
  };
}

/** Why devices failed, grouped by reason (a fleet hides per-device warnings). */
export function failureLines(devices: readonly SimulatedDevice[], max = 5): string[] {
  const reasons = new Map<string, string[]>();
  for (const d of devices) {
    if (!d.lastError) continue;
    const names = reasons.get(d.lastError.message) ?? [];
    names.push(d.name);
    reasons.set(d.lastError.message, names);
  }
  return [...reasons]
    .slice(0, max)
    .map(
      ([why, names]) =>
        `failed: ${names.length} device(s) (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}): ${why}`,
    );
}

/** Timestamped text lines; a quiet fleet shows only notices (reboots). */
function textLog(io: SimulatorIo, now: () => number, quiet: boolean): SimulatorLog {
  const stamp = () => new Date(now()).toISOString().slice(11, 23);
  return {
    info: (m) => {
      if (!quiet) io.err(`${stamp()} ${m}`);
    },
    warn: (m) => {
      if (!quiet) io.err(`${stamp()} warning: ${m}`);
    },
    notice: (m) => io.err(`${stamp()} ${m}`),
  };
}

/** pino JSON lines: routine events at debug level when the fleet is quiet. */
function jsonLog(stream: Writable, quiet: boolean): SimulatorLog {
  const logger = pino({ name: 'lwm2m-simulate', level: quiet ? 'info' : 'debug' }, stream);
  return {
    info: (m) => (quiet ? logger.debug(m) : logger.info(m)),
    warn: (m) => (quiet ? logger.debug(m) : logger.warn(m)),
    notice: (m) => logger.info(m),
  };
}

/** Runs the simulator CLI; resolves with the exit status. */
export async function runSimulatorCli(argv: readonly string[], io: SimulatorIo): Promise<number> {
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  let flags: Flags;
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<Flags>();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const now = io.now ?? Date.now;
  const fleet = flags.count > 1;
  const log = flags.logJson ? jsonLog(io.stderr, fleet && !flags.verbose) : textLog(io, now, fleet && !flags.verbose);
  let options: SimulatorOptions;
  try {
    options = optionsFromFlags(flags, log);
  } catch (e) {
    io.err(`lwm2m-simulate: ${(e as Error).message}`);
    return 2;
  }
  const interactive = flags.interactive ?? io.stdinIsTTY;
  let progress: ProgressReporter | undefined;
  let simulator: ReturnType<typeof createSimulator>;
  try {
    simulator = createSimulator({ ...options, now, onProgress: (s) => progress?.update(s) });
  } catch (e) {
    io.err(`lwm2m-simulate: ${(e as Error).message}`);
    return 2;
  }
  if (fleet)
    progress = createProgress({
      total: flags.count,
      stream: io.stderr,
      tty: io.stderrIsTTY,
      line: io.err,
      stats: () => simulator.stats(),
    });
  const target = flags.bootstrap ? `bootstrap server ${flags.bootstrap}` : flags.server;
  io.err(
    fleet
      ? `starting ${flags.count} devices (${simulator.devices[0]!.name} .. ${simulator.devices.at(-1)!.name}) at ${flags.ramp}/s against ${target}`
      : `starting ${flags.endpoint} against ${target}`,
  );

  const stop = new AbortController();
  const abort = () => stop.abort();
  io.signal.addEventListener('abort', abort, { once: true });
  const durationTimer = flags.duration !== undefined ? setTimeout(abort, flags.duration * 1000) : undefined;
  const rampDone = simulator.start().then(
    () => {
      if (stop.signal.aborted) return; // shutting down: the final summary follows
      if (fleet && interactive) {
        progress?.stop();
        progress = undefined;
      }
      if (fleet) io.err(summaryLine(simulator.stats()));
    },
    (e: unknown) => {
      io.err(`lwm2m-simulate: starting the devices failed: ${e instanceof Error ? e.message : String(e)}`);
      abort();
    },
  );
  // A silent server looks like a hang: say what is going on.
  const slowTimer = setTimeout(() => {
    const waiting = simulator.devices.filter((d) => d.state === 'registering').length;
    if (waiting > 0)
      io.err(
        `${waiting} device(s) still waiting for ${target}; CoAP keeps retransmitting (is the server up? check --server)`,
      );
  }, 5_000);
  slowTimer.unref();
  const stopped = new Promise<void>((resolve) =>
    stop.signal.addEventListener('abort', () => resolve(), { once: true }),
  );

  if (interactive) {
    const end = await runConsole({
      simulator,
      input: io.stdin,
      ...(io.stdinIsTTY ? { terminal: io.stdout } : {}),
      out: io.out,
      err: io.err,
      signal: stop.signal,
    });
    if (end === 'eof' && !io.stdinIsTTY && flags.duration !== undefined) await stopped;
  } else {
    await stopped;
  }
  if (durationTimer) clearTimeout(durationTimer);
  clearTimeout(slowTimer);
  io.signal.removeEventListener('abort', abort);
  progress?.stop();
  progress = undefined;
  const final = simulator.stats();
  io.err(`de-registering ${final.registered} device(s)...`);
  await simulator.close();
  await rampDone;
  io.err(summaryLine(final));
  for (const line of failureLines(simulator.devices)) io.err(line);
  // Nothing ever registered: a script running the simulator should notice.
  return simulator.devices.every((d) => d.registrationMs === undefined) ? 1 : 0;
}
