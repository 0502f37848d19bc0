import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPECTED_SUITES, planSuites, runSuites } from './suites';

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bench-suites-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('planSuites', () => {
  it("prefers a package's bench script, else runs its bench files, and lists expected packages without one", () => {
    const root = repo({
      'packages/codec/package.json': JSON.stringify({ scripts: { bench: 'node bench/x.bench.mjs' } }),
      'packages/codec/bench/x.bench.mjs': '',
      'packages/codec/bench/y.bench.mjs': '',
      'packages/rd/package.json': '{}',
      'packages/rd/bench/lookup.bench.mjs': '',
      'packages/rd/bench/vitest-style.bench.ts': '',
      'packages/rd/bench/notes.md': '',
      'packages/oscore/package.json': '{}',
    });
    const { run, missing } = planSuites(root);
    expect(run.map((s) => [s.name, s.args.join(' '), s.cwd])).toEqual([
      ['codec', 'run --silent bench', 'packages/codec'],
      ['rd/lookup.bench.mjs', 'bench/lookup.bench.mjs', 'packages/rd'],
      ['rd/vitest-style.bench.ts', 'exec vitest bench --run bench/vitest-style.bench.ts', 'packages/rd'],
    ]);
    expect(missing).toEqual(EXPECTED_SUITES.filter((p) => p !== 'codec'));
    expect(planSuites(root, ['rd']).run.map((s) => s.name)).toEqual([
      'rd/lookup.bench.mjs',
      'rd/vitest-style.bench.ts',
    ]);
  });

  it('runs other tools that have a bench script (tools/cluster), never tools/bench itself', () => {
    const root = repo({
      'tools/bench/package.json': JSON.stringify({ scripts: { bench: 'node harness.js' } }),
      'tools/cluster/package.json': JSON.stringify({ scripts: { bench: 'node dist/cluster-bench.js' } }),
      'tools/interop/package.json': JSON.stringify({ scripts: { test: 'vitest run' } }),
    });
    expect(planSuites(root).run.map((s) => [s.name, s.args.join(' '), s.cwd])).toEqual([
      ['tools/cluster', 'run --silent bench', 'tools/cluster'],
    ]);
    expect(planSuites(root, ['cluster']).run.map((s) => s.name)).toEqual(['tools/cluster']);
    expect(planSuites(root, ['codec']).run).toEqual([]);
  });
});

describe('runSuites', () => {
  it('runs each suite in its package folder and reports the failed ones', () => {
    const root = repo({
      'packages/a/package.json': '{}',
      'packages/a/bench/ok.bench.mjs': "if (!process.cwd().endsWith('packages/a')) process.exit(9);",
      'packages/b/package.json': '{}',
      'packages/b/bench/z.bench.mjs': 'process.exit(3)',
    });
    const lines: string[] = [];
    const failed = runSuites(root, planSuites(root, ['a', 'b']).run, (l) => lines.push(l));
    expect(failed).toEqual(['b/z.bench.mjs']);
    expect(lines.filter((l) => l.startsWith('--- suite'))).toHaveLength(3);
  });
});
