#!/usr/bin/env node
// Enforces DESIGN.md's one-way dependency direction between workspace packages:
// every @lwm2m-ts/* import in a package's source must be allowed below and declared in its
// package.json; the package graph must have no cycle; browser-safe packages import no node: module.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Allowed direct dependencies per package (DESIGN.md arrows). Apps and tools may import any package. */
const allowed = {
  codec: [],
  coap: ['codec'],
  'transport-udp': ['coap', 'codec'],
  'transport-dtls': ['coap', 'codec'],
  'transport-tcp': ['coap', 'codec'],
  'transport-ws': ['coap', 'codec'],
  oscore: ['coap', 'codec'],
  objects: ['codec'],
  client: ['objects', 'coap', 'codec'],
  server: ['objects', 'coap', 'codec'],
  rd: ['coap', 'codec'],
  'store-redis': ['server', 'rd', 'objects', 'coap', 'codec'],
};
const browserSafe = new Set(['codec']);

const errors = [];
const importRe = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;

function* sourceFiles(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') continue;
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry)) yield full;
  }
}

const graph = new Map();
for (const kind of ['packages', 'apps', 'tools']) {
  const base = join(root, kind);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base)) {
    const pkgFile = join(base, dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }));
    const edges = new Set();
    for (const file of sourceFiles(join(base, dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const isTest = /\.test\.|\/testing\//.test(file);
      for (const m of text.matchAll(importRe)) {
        const spec = m[1];
        const where = relative(root, file);
        if (spec.startsWith('@lwm2m-ts/')) {
          const target = spec.slice('@lwm2m-ts/'.length).split('/')[0];
          if (target === dir && kind === 'packages') {
            errors.push(`${where}: imports its own package by name (${spec}); use a relative import`);
            continue;
          }
          if (!isTest) edges.add(`@lwm2m-ts/${target}`);
          if (kind === 'packages' && !isTest && !allowed[dir]?.includes(target)) {
            errors.push(`${where}: ${dir} may not import ${spec} (DESIGN.md dependency direction)`);
          }
          if (!declared.has(`@lwm2m-ts/${target}`) && !(isTest && kind === 'packages')) {
            errors.push(`${where}: imports ${spec} but ${kind}/${dir}/package.json does not declare it`);
          }
        } else if (
          kind === 'packages' &&
          browserSafe.has(dir) &&
          !isTest &&
          (spec.startsWith('node:') || ['fs', 'net', 'dgram', 'crypto', 'buffer', 'os', 'path'].includes(spec))
        ) {
          errors.push(`${where}: ${dir} must stay browser-safe but imports ${spec}`);
        }
      }
    }
    graph.set(pkg.name, edges);
  }
}

// Cycle detection over the package graph.
const state = new Map();
const visit = (node, stack) => {
  if (state.get(node) === 'done') return;
  if (state.get(node) === 'active') {
    errors.push(`dependency cycle: ${[...stack.slice(stack.indexOf(node)), node].join(' -> ')}`);
    return;
  }
  state.set(node, 'active');
  for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next, [...stack, node]);
  state.set(node, 'done');
};
for (const node of graph.keys()) visit(node, []);

if (errors.length) {
  console.error(`check-deps: ${errors.length} problem(s)\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-deps: ${graph.size} workspace projects, dependency direction OK`);
