import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';

/** Is a command on PATH? In CI a missing interop peer is a failure, locally a loud skip. */
export function havePeer(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error(`${command} is required in CI for the DTLS interop tests`);
    console.warn(`\n!!!!! ${command} not found: SKIPPING DTLS interop tests against it !!!!!\n`);
    return false;
  }
}

/** A spawned third-party peer whose combined output we watch. Stopped by PID only. */
export class PeerProcess {
  readonly proc: ChildProcessWithoutNullStreams;
  output = '';
  private waiters: { re: RegExp; resolve: () => void }[] = [];

  constructor(command: string, args: string[], cwd?: string) {
    this.proc = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const onData = (d: Buffer) => {
      this.output += d.toString('latin1');
      this.waiters = this.waiters.filter((w) => {
        if (!w.re.test(this.output)) return true;
        w.resolve();
        return false;
      });
    };
    this.proc.stdout.on('data', onData);
    this.proc.stderr.on('data', onData);
    this.proc.stdin.on('error', () => {});
  }

  waitFor(re: RegExp, timeoutMs = 8000): Promise<void> {
    if (re.test(this.output)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer output never matched ${re}:\n${this.output}`)), timeoutMs);
      this.waiters.push({
        re,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  write(line: string): void {
    this.proc.stdin.write(line);
  }

  stop(): void {
    const pid = this.proc.pid;
    if (pid !== undefined && this.proc.exitCode === null) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}
