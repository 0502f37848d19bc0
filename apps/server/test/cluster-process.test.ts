/** The built `lwm2m-server` with --redis pointing nowhere: one clear line and exit code 1. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const built =
  existsSync(BIN) &&
  spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', timeout: 15_000 }).stdout.includes('--redis');
if (!built) {
  if (process.env.CI === 'true') throw new Error(`${BIN} is missing or predates --redis: run pnpm build first`);
  console.warn(`\n!!! SKIPPING cluster process test: ${BIN} not built with --redis (pnpm build) !!!\n`);
}

describe.skipIf(!built)('lwm2m-server --redis, Redis unreachable', () => {
  it('says which Redis is unavailable and what to check, and exits with 1', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        ...['--redis', 'redis://127.0.0.1:27099', '--node-id', 'lonely'],
        ...['--coap-host', '127.0.0.1', '--coap-port', '27088', '--http-port', '27089', '--no-bootstrap', '--no-coaps'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('Redis at redis://127.0.0.1:27099 is unavailable');
    expect(output).toContain('Is redis-server running');
    // One fatal line, not a warning per reconnect attempt.
    expect(output).not.toContain('reconnecting');
  }, 20_000);
});
