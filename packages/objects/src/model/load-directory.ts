// Node only: reached through the `@lwm2m-ts/objects/node` entry (src/node.ts), never from
// src/index.ts, so browser bundles of the main entry carry no node built-ins.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DdfError } from './ddf-error';
import type { ModelRegistry } from './model-registry';
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

/**
 * Reads every `*.xml` file of `dir` (sorted by name, so results are deterministic) with
 * {@link parseDdf}, without adding the models anywhere. Node only (`@lwm2m-ts/objects/node`).
 */
export async function readDdfDirectory(dir: string, options: DirectoryLoadOptions = {}): Promise<DirectoryLoadResult> {
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
 * Reads every `*.xml` DDF file of a folder (what Leshan's `-m` option does) with
 * {@link readDdfDirectory} and adds the objects found to `registry` (same id and version
 * replaces, so a folder can override the embedded definitions). See {@link DirectoryLoadOptions}
 * for how bad files are handled; with `strict` on, a malformed file leaves the registry unchanged.
 */
export async function loadDdfDirectory(
  registry: ModelRegistry,
  dir: string,
  options?: DirectoryLoadOptions,
): Promise<DirectoryLoadResult> {
  const result = await readDdfDirectory(dir, options);
  registry.add(result.models);
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
