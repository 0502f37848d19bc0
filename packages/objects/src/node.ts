// The `@lwm2m-ts/objects/node` entry: what needs node:fs. Kept out of src/index.ts so the main
// entry bundles for browsers (the server's web UI) and type-checks without @types/node.
export {
  type DirectoryLoadOptions,
  type DirectoryLoadResult,
  loadDdfDirectory,
  readDdfDirectory,
} from './model/load-directory';
