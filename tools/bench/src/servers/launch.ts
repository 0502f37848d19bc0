/** Starts a server under test as its own process, waits until it answers, stops it by PID. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { requestTemplate } from '../load/con-get-load';
import type { TransportKind } from '../transports/transport-kind';

export type ServerName = 'ours' | 'node-coap' | 'libcoap';
export const SERVER_NAMES: readonly ServerName[] = ['ours', 'node-coap', 'libcoap'];

export interface ServerSpec {
  /** A ServerName, or the transport's name in the transport benchmark. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly host: string;
  readonly port: number;
  /** Path the load generator GETs. */
  readonly path: string;
  /** Transport benchmark: the clients' transport; the server is ready when it prints "listening". */
  readonly transport?: TransportKind;
  /** Transport benchmark: client connections in total (the OSCORE server derives one context each). */
  readonly connections?: number;
}

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly pid: number;
  /** Output the server printed so far (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

const distFile = (name: string) => fileURLToPath(new URL(`./servers/${name}.js`, import.meta.url));

export function serverSpec(name: ServerName, port: number, options: { cpuProfDir?: string } = {}): ServerSpec {
  const host = '127.0.0.1';
  switch (name) {
    case 'ours': {
      const prof = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
      return {
        name,
        command: process.execPath,
        args: [...prof, distFile('ours-server'), String(port), host],
        host,
        port,
        path: '/',
      };
    }
    case 'node-coap': {
      const prof = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
      return {
        name,
        command: process.execPath,
        args: [...prof, distFile('node-coap-server'), String(port), host],
        host,
        port,
        path: '/',
      };
    }
    case 'libcoap':
      return {
        name,
        command: 'coap-server-notls',
        args: ['-A', host, '-p', String(port), '-v', '0'],
        host,
        port,
        path: '/',
      };
  }
}

/** Our Endpoint over `kind`, for the transport benchmark. */
export function transportSpec(
  kind: TransportKind,
  port: number,
  connections: number,
  options: { cpuProfDir?: string } = {},
): ServerSpec {
  const host = '127.0.0.1';
  const prof = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  return {
    name: kind,
    command: process.execPath,
    args: [...prof, distFile('transport-server'), kind, String(port), host, String(connections)],
    host,
    port,
    path: '/',
    transport: kind,
    connections,
  };
}

/** Whether a command exists on PATH (libcoap is optional outside CI). */
export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const child: ChildProcess = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  if (child.pid === undefined) throw new Error(`cannot start ${spec.name}: ${(await spawnError).message}`);
  const pid = child.pid;
  const running: RunningServer = {
    spec,
    pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!killed) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
  const ok = spec.transport
    ? await waitForLine(
        () => output,
        'listening',
        () => child.exitCode !== null,
      )
    : await waitUntilAnswering(spec, () => child.exitCode !== null);
  if (!ok) {
    await running.stop();
    throw new Error(
      `${spec.name} did not ${spec.transport ? 'start listening' : `answer GET ${spec.path}`} on ${spec.host}:${spec.port} within 10 s. Output:\n${output}`,
    );
  }
  return running;
}

/** Sends CON GETs every 100 ms (at most 100) until one is answered. */
async function waitUntilAnswering(spec: ServerSpec, hasExited: () => boolean): Promise<boolean> {
  const socket = createSocket('udp4');
  const frame = requestTemplate(spec.path);
  let answered = false;
  socket.on('message', () => {
    answered = true;
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (let i = 0; i < 100 && !answered && !hasExited(); i++) {
    const f = Buffer.from(frame);
    f[3] = i;
    socket.send(f, spec.port, spec.host);
    await sleep(100);
  }
  socket.close();
  return answered;
}

/** Polls the server's output for `line` every 100 ms (at most 100 times). */
async function waitForLine(output: () => string, line: string, hasExited: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !hasExited(); i++) {
    if (output().includes(line)) return true;
    await sleep(100);
  }
  return output().includes(line);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
