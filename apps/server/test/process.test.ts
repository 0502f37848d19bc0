/** The built `lwm2m-server` binary: starts with flags, serves, stops cleanly on SIGTERM. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built = existsSync(BIN);
if (!built) {
  if (process.env.CI === 'true') throw new Error(`${BIN} is missing: run pnpm build before the tests`);
  console.warn(`\n!!! SKIPPING process tests: ${BIN} not built (pnpm --filter @lwm2m-ts/server-app build) !!!\n`);
}

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string> = {}) {
  child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  child.stdout!.on('data', (chunk) => lines.push(...String(chunk).split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
  return { lines, exited, child };
}

describe.skipIf(!built)('lwm2m-server process', () => {
  it('serves the API and stops on SIGTERM with exit code 0', async () => {
    const p = start([
      '--coap-host',
      '127.0.0.1',
      '--coap-port',
      '0',
      '--bs-port',
      '0',
      '--coaps-port',
      '0',
      '--bs-coaps-port',
      '0',
      '--http-port',
      '0',
    ]);
    let ready: { http: string } | undefined;
    for (let i = 0; i < 200 && !ready; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = p.lines.map((l) => JSON.parse(l)).find((l) => l.http);
    }
    expect(ready).toBeDefined();
    const response = await fetch(`${ready!.http}/api/clients`);
    expect(response.status).toBe(200);
    expect((await fetch(`${ready!.http}/`)).headers.get('content-type')).toContain('text/html');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.lines.some((l) => l.includes('"stopped"'))).toBe(true);
  });

  it('refuses a public HTTP host without a token, saying what to do', async () => {
    const p = start(['--http-host', '0.0.0.0', '--http-port', '0', '--coap-port', '0', '--bs-port', '0', '--no-coaps']);
    expect(await p.exited).toBe(1);
    expect(p.lines.join('\n')).toContain('--api-token');
  });

  it('rejects a bad flag value', async () => {
    const p = start(['--coap-port', '70000']);
    expect(await p.exited).not.toBe(0);
  });
});
