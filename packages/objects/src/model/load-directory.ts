import { DdfError } from './ddf-error';
import { parseDdf } from './parse-ddf';
import type { ObjectModel } from './types';

export interface DirectoryLoadOptions {
  /**
   * `true` (default): the first malformed DDF file rejects the whole load with its
   * {@link DdfError}. `false`: malformed files are reported in `failed` and the rest load.
   */
  readonly strict?: boolean;
  /** Also read sub-folders. Default false. */
  readonly recursive?: boolean;
}

export interface DirectoryLoadResult {
  readonly models: ObjectModel[];
  /** Files that are XML but not object definitions (e.g. the registry's DDF.xml listing, Common.xml). */
  readonly skipped: { readonly file: string; readonly reason: string }[];
  /** Malformed DDF files (only with `strict: false`). */
  readonly failed: { readonly file: string; readonly error: DdfError }[];
}

/** The few node:fs/promises and node:path functions used here. */
interface DirectoryEntry {
  readonly name: string;
  readonly parentPath: string;
  isFile(): boolean;
}
interface NodeFiles {
  readdir(dir: string, options: { recursive: boolean; withFileTypes: true }): Promise<DirectoryEntry[]>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}
interface NodePaths {
  join(...parts: string[]): string;
  relative(from: string, to: string): string;
}
/**
 * Held in variables, so browser bundlers (Vite) do not try to resolve node built-ins for this
 * lazily loaded module, and DOM-only programs type-check the package without @types/node.
 */
const NODE_FS = 'node:fs/promises';
const NODE_PATH = 'node:path';

/**
 * Reads every `*.xml` file of `dir` (sorted by name, so results are deterministic) with
 * {@link parseDdf}. Node only; import through `ModelRegistry.loadDirectory` to keep the
 * node:fs import lazy.
 */
export async function readDdfDirectory(dir: string, options: DirectoryLoadOptions = {}): Promise<DirectoryLoadResult> {
  const { readFile, readdir } = (await import(NODE_FS)) as NodeFiles;
  const { join, relative } = (await import(NODE_PATH)) as NodePaths;
  const strict = options.strict ?? true;
  const files = (await readdir(dir, { recursive: options.recursive ?? false, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.xml'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();

  const result: DirectoryLoadResult = { models: [], skipped: [], failed: [] };
  for (const path of files) {
    const file = relative(dir, path);
    const xml = await readFile(path, 'utf8');
    const notDdf = notObjectDefinition(xml);
    if (notDdf !== undefined) {
      result.skipped.push({ file, reason: notDdf });
      continue;
    }
    try {
      result.models.push(...parseDdf(xml, { source: path }));
    } catch (error) {
      if (strict || !DdfError.isInstance(error)) throw error;
      result.failed.push({ file, error });
    }
  }
  return result;
}

/**
 * Why a well-formed XML file is not a DDF at all, or undefined when it looks like one. Only
 * clearly foreign documents are skipped; anything with an `<LWM2M>` root and object
 * definitions goes to the parser, so a broken DDF is reported rather than ignored.
 */
function notObjectDefinition(xml: string): string | undefined {
  const body = xml.replace(/^\uFEFF/, '').replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, '');
  const root = /<\s*([A-Za-z_][\w.:-]*)/.exec(body)?.[1];
  if (root !== undefined && root.toUpperCase() !== 'LWM2M') return `root element is <${root}>, not <LWM2M>`;
  if (/<Object\b[^>]*ObjectType\s*=\s*["']CommonResources["']/i.test(body)) {
    return 'reusable-resource registry (ObjectType="CommonResources"), not object definitions';
  }
  return undefined;
}
