import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_SUITES, planSuites, runSuites, suiteCommand } from './suites';

describe('planSuites', () => {
  it('reports missing known suites and runs present and discovered ones', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-suites-'));
    mkdirSync(join(root, 'packages/codec/bench'), { recursive: true });
    writeFileSync(join(root, 'packages/codec/bench/coap-codec.bench.mjs'), '');
    mkdirSync(join(root, 'packages/rd/bench'), { recursive: true });
    writeFileSync(join(root, 'packages/rd/bench/lookup.bench.mjs'), '');
    writeFileSync(join(root, 'packages/rd/bench/notes.md'), '');
    const { run, missing } = planSuites(root);
    expect(run.map((s) => s.file)).toEqual(['packages/codec/bench/coap-codec.bench.mjs', 'packages/rd/bench/lookup.bench.mjs']);
    expect(missing.length).toBe(KNOWN_SUITES.length - 1);
    expect(planSuites(root, ['rd']).run.map((s) => s.name)).toEqual(['rd/lookup.bench.mjs']);
  });
});

describe('runSuites', () => {
  it("prefers the package's bench script, runs it once, and reports failures", () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-run-'));
    mkdirSync(join(root, 'packages/a/bench'), { recursive: true });
    writeFileSync(join(root, 'packages/a/package.json'), JSON.stringify({ name: 'a', scripts: { bench: 'node bench/x.bench.mjs' } }));
    writeFileSync(join(root, 'packages/a/bench/x.bench.mjs'), 'process.exit(0)');
    writeFileSync(join(root, 'packages/a/bench/y.bench.mjs'), 'process.exit(0)');
    mkdirSync(join(root, 'packages/b/bench'), { recursive: true });
    writeFileSync(join(root, 'packages/b/bench/z.bench.mjs'), 'process.exit(3)');
    expect(suiteCommand(root, { name: 'a', file: 'packages/a/bench/x.bench.mjs' }).args).toEqual(['run', '--silent', 'bench']);
    const lines: string[] = [];
    const failed = runSuites(root, planSuites(root, ['a', 'b']).run, (l) => lines.push(l));
    expect(failed).toEqual(['b/z.bench.mjs']);
    expect(lines.filter((l) => l.startsWith('--- suite a/'))).toHaveLength(1);
  });
});
