import { spawnSync } from 'node:child_process';

/**
 * Runs the openssl command line (node:crypto cannot issue certificates) and throws with
 * openssl's own message when it fails or is missing.
 */
export function runOpenssl(args: readonly string[], options: { cwd?: string } = {}): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8', cwd: options.cwd });
  if (r.error) throw new Error(`openssl could not run (it is needed to make test certificates): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.trim()}`);
}
