// Test-only: where the OMA registry copy lives. CI clones main with shared/ beside it, so the
// folder is resolved from the repository root (…/main/../shared/lwm2m-registry).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REGISTRY_DIR = fileURLToPath(new URL('../../../../../../shared/lwm2m-registry/', import.meta.url));
export const IPSO_2017_DIR = `${REGISTRY_DIR}ipso-pub-2017/`;

export interface IndexRow {
  readonly file: string;
  readonly objectId: number;
  /** Empty when the element is missing or empty in the file. */
  readonly objectVersion: string;
  readonly lwm2mVersion: string;
  readonly name: string;
  readonly multiple: string;
  readonly mandatory: string;
  readonly resourceCount: number;
}

/** Rows of an INDEX.tsv (registry or ipso-pub-2017), columns looked up by header name. */
export function readIndex(dir: string): IndexRow[] {
  const [header, ...lines] = readFileSync(`${dir}INDEX.tsv`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const columns = (header ?? '').split('\t');
  const at = (cells: string[], name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`INDEX.tsv in ${dir} has no column ${name}`);
    return cells[index] ?? '';
  };
  return lines.map((line) => {
    const cells = line.split('\t');
    return {
      file: at(cells, 'file'),
      objectId: Number(at(cells, 'ObjectID')),
      objectVersion: at(cells, 'ObjectVersion'),
      lwm2mVersion: at(cells, 'LWM2MVersion'),
      name: at(cells, 'Name'),
      multiple: at(cells, 'MultipleInstances'),
      mandatory: at(cells, 'Mandatory'),
      resourceCount: Number(at(cells, 'resource_count')),
    };
  });
}
