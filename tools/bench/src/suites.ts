/**
 * Optional bench suites that other packages own. A package takes part when it has a `bench`
 * script (run once, from its folder) or bench files in `packages/<name>/bench/`
 * (`*.bench.ts` through vitest bench, `*.bench.mjs`/`.js` through node). Packages the issue
 * expects a suite from are listed in EXPECTED_SUITES: when one has none, the harness says
 * SKIPPED with a line instead of staying silent. Adding a suite needs no change here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Suite {
  /** Package folder name, or `<package>/<file>` for a single file. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Working directory, relative to the repo root. */
  readonly cwd: string;
}

/** Packages whose benchmark the issue asks for. */
export const EXPECTED_SUITES: readonly string[] = ['codec', 'coap', 'objects', 'oscore', 'server'];

const BENCH_FILE = /[.-]bench\.(ts|mts|js|mjs)$/;

function packageSuites(root: string, pkg: string): Suite[] {
  const dir = join('packages', pkg);
  const pkgFile = join(root, dir, 'package.json');
  if (!existsSync(pkgFile)) return [];
  const scripts = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (scripts.bench) return [{ name: pkg, command: 'pnpm', args: ['run', '--silent', 'bench'], cwd: dir }];
  const benchDir = join(root, dir, 'bench');
  if (!existsSync(benchDir)) return [];
  const suites: Suite[] = [];
  for (const file of readdirSync(benchDir).sort()) {
    if (!BENCH_FILE.test(file)) continue;
    const rel = join('bench', file);
    if (/\.bench\.(ts|mts)$/.test(file))
      suites.push({
        name: `${pkg}/${file}`,
        command: 'pnpm',
        args: ['exec', 'vitest', 'bench', '--run', rel],
        cwd: dir,
      });
    else if (/\.(js|mjs)$/.test(file))
      suites.push({ name: `${pkg}/${file}`, command: process.execPath, args: [rel], cwd: dir });
  }
  return suites;
}

/** Suites in tools/bench/src/suites that span packages (e.g. LwM2M client fleet -> server), run with vitest bench. */
function crossPackageSuites(root: string): Suite[] {
  const dir = join(root, 'tools', 'bench', 'src', 'suites');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => /\.bench\.(ts|mts)$/.test(file))
    .sort()
    .map((file) => ({
      name: `lwm2m/${file}`,
      command: 'pnpm',
      args: ['exec', 'vitest', 'bench', '--run', join('tools', 'bench', 'src', 'suites', file)],
      cwd: '.',
    }));
}

/** Other tool packages (tools/<name>, not this one) that have a `bench` script, e.g. tools/cluster. */
function toolSuites(root: string, wanted: (name: string) => boolean): Suite[] {
  const toolsDir = join(root, 'tools');
  if (!existsSync(toolsDir)) return [];
  const suites: Suite[] = [];
  for (const tool of readdirSync(toolsDir).sort()) {
    const pkgFile = join(toolsDir, tool, 'package.json');
    if (tool === 'bench' || !wanted(tool) || !existsSync(pkgFile)) continue;
    const scripts = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    if (scripts.bench)
      suites.push({
        name: `tools/${tool}`,
        command: 'pnpm',
        args: ['run', '--silent', 'bench'],
        cwd: join('tools', tool),
      });
  }
  return suites;
}

/** Suites to run (in package order, then the cross-package ones, then other tools') and expected packages that have none. */
export function planSuites(root: string, only?: readonly string[]): { run: Suite[]; missing: string[] } {
  const packagesDir = join(root, 'packages');
  const packages = existsSync(packagesDir) ? readdirSync(packagesDir).sort() : [];
  const wanted = (pkg: string) => !only || only.includes(pkg);
  const run: Suite[] = [];
  const missing: string[] = [];
  for (const pkg of [...new Set([...packages, ...EXPECTED_SUITES])].sort()) {
    if (!wanted(pkg)) continue;
    const suites = packageSuites(root, pkg);
    if (suites.length > 0) run.push(...suites);
    else if (EXPECTED_SUITES.includes(pkg)) missing.push(pkg);
  }
  if (wanted('lwm2m')) run.push(...crossPackageSuites(root));
  run.push(...toolSuites(root, wanted));
  return { run, missing };
}

/** Runs each suite with its output shown; returns the names of the failed ones. */
export function runSuites(
  root: string,
  suites: readonly Suite[],
  log: (line: string) => void,
  timeoutMs = 300_000,
): string[] {
  const failed: string[] = [];
  for (const suite of suites) {
    const shown = `${suite.command === 'pnpm' ? 'pnpm' : 'node'} ${suite.args.join(' ')}`;
    log(`--- suite ${suite.name}: ${shown} (in ${relative(root, join(root, suite.cwd)) || '.'})`);
    const res = spawnSync(suite.command, [...suite.args], {
      cwd: join(root, suite.cwd),
      stdio: 'inherit',
      timeout: timeoutMs,
    });
    if (res.status !== 0) {
      failed.push(suite.name);
      log(`--- suite ${suite.name} FAILED (exit ${res.status ?? res.signal})`);
    }
  }
  return failed;
}
