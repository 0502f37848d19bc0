export { DdfError } from './ddf-error';
export {
  CORE_OBJECT_IDS,
  coreObjectModels,
  createDefaultRegistry,
  embeddedObjectModels,
  ipsoObjectModels,
} from './default-registry';
export { ModelRegistry, type ObjectVersionResolver } from './model-registry';
export { type ParseDdfOptions, parseDdf } from './parse-ddf';
export { inRange, parseRange } from './range';
export type {
  ObjectModel,
  Operations,
  RangeSpec,
  ResourceModel,
  ResourceModelLookup,
  ResourceType,
} from './types';
export { compareVersions, DEFAULT_VERSION, normalizeVersion } from './version';
