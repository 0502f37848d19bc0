// The main entry is bundled for browsers (the server's web UI, via Vite) and type-checked with
// DOM types only, so nothing reachable from src/index.ts may import a node built-in; node-only
// code lives behind `@lwm2m-ts/objects/node` (src/node.ts). This walks the real import graph.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const BUILTINS = new Set(builtinModules);

interface ImportGraph {
  /** Source files reached, relative to src/. */
  readonly files: string[];
  /** Every non-relative specifier, as `file -> specifier`. */
  readonly external: { readonly file: string; readonly specifier: string }[];
  /** `import(...)` / `require(...)` calls whose argument is not a string literal. */
  readonly computed: string[];
}

function resolveRelative(from: string, specifier: string): string {
  const base = join(dirname(from), specifier);
  const candidates = /\.tsx?$/.test(base) ? [base] : [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found !== undefined) return found;
  throw new Error(`${relative(SRC, from)}: cannot resolve ${specifier}`);
}

function importGraph(entry: string): ImportGraph {
  const graph = { files: [] as string[], external: [] as ImportGraph['external'], computed: [] as string[] };
  const seen = new Set<string>();
  const queue = [join(SRC, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const where = relative(SRC, file);
    graph.files.push(where);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const found = (specifier: string) => {
      if (specifier.startsWith('.')) queue.push(resolveRelative(file, specifier));
      else graph.external.push({ file: where, specifier });
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
        if (ts.isStringLiteral(node.moduleSpecifier)) found(node.moduleSpecifier.text);
      } else if (ts.isImportTypeNode(node)) {
        const arg = node.argument;
        if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) found(arg.literal.text);
      } else if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
          (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
      ) {
        const [arg] = node.arguments;
        if (arg !== undefined && ts.isStringLiteralLike(arg)) found(arg.text);
        else graph.computed.push(`${where}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  graph.files.sort();
  return graph;
}

const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier);

describe('entry points', () => {
  const main = importGraph('index.ts');

  it('the main entry reaches the whole package but no node built-in', () => {
    // Sanity: the walk really follows the graph (else the check below would pass vacuously).
    expect(main.files).toEqual(
      expect.arrayContaining(['index.ts', 'model/model-registry.ts', 'model/parse-ddf.ts', 'formats/tlv-format.ts']),
    );
    expect(main.external.filter((e) => isNodeBuiltin(e.specifier))).toEqual([]);
    expect(main.files).not.toContain('model/load-directory.ts');
  });

  it('the main entry hides no dependency behind a computed import() or require()', () => {
    expect(main.computed).toEqual([]);
  });

  it('the main entry imports only declared dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(SRC, '../package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const packageName = (specifier: string) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
    const undeclared = main.external.filter((e) => !(packageName(e.specifier) in pkg.dependencies));
    expect(undeclared).toEqual([]);
  });

  it('the node entry is where node:fs lives (the walk sees built-ins)', () => {
    const node = importGraph('node.ts');
    expect(node.files).toContain('model/load-directory.ts');
    expect(node.external.map((e) => e.specifier)).toEqual(expect.arrayContaining(['node:fs/promises', 'node:path']));
  });
});
