/**
 * Optional bench suites that other packages own (`packages/<name>/bench/*.bench.*`). Each known
 * suite is listed with the file it needs; a missing file skips the suite with a line. Any other
 * bench file found under packages/<name>/bench is run too, so adding one needs no change here.
 * A package with its own `bench` script (e.g. one that builds dist first) is run through it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Suite {
  readonly name: string;
  /** Path relative to the repo root. */
  readonly file: string;
}

/** Suites the issue asks for by name; listed so that their absence is reported, not silent. */
export const KNOWN_SUITES: readonly Suite[] = [
  { name: 'codec', file: 'packages/codec/bench/coap-codec.bench.mjs' },
  { name: 'coap', file: 'packages/coap/bench/endpoint.bench.ts' },
  { name: 'objects', file: 'packages/objects/bench/node-codecs.bench.ts' },
  { name: 'oscore', file: 'packages/oscore/bench/oscore.bench.ts' },
  { name: 'transport-dtls', file: 'packages/transport-dtls/bench/dtls.bench.ts' },
];

const BENCH_FILE = /\.bench\.(ts|mts|js|mjs)$/;

export function discoverSuites(root: string): Suite[] {
  const found: Suite[] = [];
  const packages = join(root, 'packages');
  if (!existsSync(packages)) return found;
  for (const pkg of readdirSync(packages).sort()) {
    const dir = join(packages, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (BENCH_FILE.test(file)) found.push({ name: `${pkg}/${file}`, file: relative(root, join(dir, file)) });
    }
  }
  return found;
}

/** Known suites (present or reported missing) plus every discovered one, without duplicates. */
export function planSuites(root: string, only?: readonly string[]): { run: Suite[]; missing: Suite[] } {
  const discovered = discoverSuites(root);
  const known = KNOWN_SUITES.filter((s) => !only || only.includes(s.name));
  const missing = known.filter((s) => !existsSync(join(root, s.file)));
  const run = [...known.filter((s) => existsSync(join(root, s.file)))];
  for (const s of discovered) {
    if (run.some((r) => r.file === s.file)) continue;
    if (only && !only.some((o) => s.name.startsWith(`${o}/`) || s.name === o)) continue;
    run.push(s);
  }
  return { run, missing };
}

/** How a suite runs: the package's `bench` script if it has one, else vitest bench (`.ts`) or node (`.mjs`/`.js`). */
export function suiteCommand(root: string, suite: Suite): { command: string; args: string[]; cwd: string } {
  const pkgDir = join(root, suite.file.split('/').slice(0, 2).join('/'));
  const pkgFile = join(pkgDir, 'package.json');
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> };
    if (pkg.scripts?.bench) return { command: 'pnpm', args: ['run', '--silent', 'bench'], cwd: pkgDir };
  }
  if (/\.bench\.(ts|mts)$/.test(suite.file)) return { command: 'pnpm', args: ['exec', 'vitest', 'bench', '--run', suite.file], cwd: root };
  return { command: process.execPath, args: [suite.file], cwd: root };
}

/** Runs suites, a package's `bench` script at most once. Returns the failed suite names. */
export function runSuites(root: string, suites: readonly Suite[], log: (line: string) => void, timeoutMs = 300_000): string[] {
  const failed: string[] = [];
  const ran = new Set<string>();
  for (const suite of suites) {
    const { command, args, cwd } = suiteCommand(root, suite);
    const key = `${cwd} ${command} ${args.join(' ')}`;
    if (ran.has(key)) continue;
    ran.add(key);
    log(`--- suite ${suite.name}: ${command === 'pnpm' ? `pnpm ${args.join(' ')} (in ${relative(root, cwd) || '.'})` : suite.file}`);
    const res = spawnSync(command, args, { cwd, stdio: 'inherit', timeout: timeoutMs });
    if (res.status !== 0) {
      failed.push(suite.name);
      log(`--- suite ${suite.name} FAILED (exit ${res.status ?? res.signal})`);
    }
  }
  return failed;
}
