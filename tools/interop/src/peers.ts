/**
 * Third-party peers: find them, run them bounded, stop them by PID. A missing peer fails the
 * suite when CI=true and skips it (with a loud line) otherwise, as INTEROP.md asks.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export const IN_CI = process.env.CI === 'true';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether the suite that needs `what` should run. Outside CI a missing peer prints a loud line
 * and the caller skips; in CI it returns true so the suite runs and fails on the missing peer.
 */
export function peerAvailable(what: string, present: boolean, install: string): boolean {
  if (present) return true;
  if (IN_CI) return true;
  console.warn(`\n!!! INTEROP SKIPPED: ${what} is not installed (${install}); set CI=true to make this a failure\n`);
  return false;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly timedOut: boolean;
}

/** Runs a peer's command to completion, killed (by its PID) after `timeoutMs`. Never rejects. */
export function run(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string | Uint8Array } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ stdout: '', stderr: (err as Error).message, status: null, timedOut: false });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin?.on('error', () => {});
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 15_000);
    child.on('error', (err) => {
      stderr += err.message;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status, timedOut });
    });
  });
}

export interface Background {
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a long-running peer (a server); `stop()` ends exactly that process. */
export async function startBackground(
  command: string,
  args: readonly string[],
  ready: () => Promise<boolean>,
): Promise<Background> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = await new Promise<Error | undefined>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => resolve(undefined));
  });
  if (failed || child.pid === undefined) throw new Error(`cannot start ${command}: ${failed?.message ?? 'no pid'}`);
  const pid = child.pid;
  const bg: Background = {
    pid,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]);
      if (!done) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await ready()) return bg;
    await sleep(100);
  }
  await bg.stop();
  throw new Error(`${command} ${args.join(' ')} did not become ready. Output:\n${out}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
