import type { ObjectModel, ResourceModel, ResourceModelLookup } from './types';
import { compareVersions, normalizeVersion } from './version';

/** Which version of an object a peer uses (from its registration's `ver=`), if known. */
export type ObjectVersionResolver = (objectId: number) => string | undefined;

/**
 * Object definitions indexed by id and version. Several versions of one object live side by
 * side (a server talks to clients that registered `</3>;ver=1.0` and `</3>;ver=1.2`).
 * Adding a model with an id and version already present replaces it, so a user's DDF folder
 * can override the embedded definitions. Node programs fill one from a DDF folder with
 * `loadDdfDirectory` from `@lwm2m-ts/objects/node`; the registry itself stays browser-safe.
 */
export class ModelRegistry {
  /** id -> versions sorted ascending. */
  private readonly byId = new Map<number, ObjectModel[]>();

  constructor(models: Iterable<ObjectModel> = []) {
    this.add(models);
  }

  /** Adds or replaces (same id + version) the given models. */
  add(models: ObjectModel | Iterable<ObjectModel>): this {
    for (const model of isModel(models) ? [models] : models) {
      const versions = this.byId.get(model.id) ?? [];
      const kept = versions.filter((existing) => existing.version !== model.version);
      kept.push(model);
      kept.sort((a, b) => compareVersions(a.version, b.version));
      this.byId.set(model.id, kept);
    }
    return this;
  }

  /** Removes one version, or every version of the object when `version` is omitted. Returns whether anything was removed. */
  remove(id: number, version?: string): boolean {
    const versions = this.byId.get(id);
    if (versions === undefined) return false;
    if (version === undefined) return this.byId.delete(id);
    const wanted = normalizeVersion(version);
    const kept = versions.filter((model) => model.version !== wanted);
    if (kept.length === versions.length) return false;
    if (kept.length === 0) this.byId.delete(id);
    else this.byId.set(id, kept);
    return true;
  }

  /** The model of object `id` at exactly `version` ("1.0" when blank), or the latest when `version` is omitted. */
  get(id: number, version?: string): ObjectModel | undefined {
    if (version === undefined) return this.latest(id);
    const versions = this.byId.get(id);
    if (versions === undefined) return undefined;
    const wanted = normalizeVersion(version);
    // A loop, not find() with a closure: this runs per decoded resource (notifications included).
    for (let i = 0; i < versions.length; i++) if (versions[i]!.version === wanted) return versions[i];
    return undefined;
  }

  /** The highest version of object `id`. */
  latest(id: number): ObjectModel | undefined {
    const versions = this.byId.get(id);
    return versions?.[versions.length - 1];
  }

  has(id: number, version?: string): boolean {
    return this.get(id, version) !== undefined;
  }

  /** Versions of object `id`, ascending ("1.0", "1.1", "1.2"); empty when unknown. */
  versions(id: number): string[] {
    return (this.byId.get(id) ?? []).map((model) => model.version);
  }

  /** Known object ids, ascending. */
  objectIds(): number[] {
    return [...this.byId.keys()].sort((a, b) => a - b);
  }

  /** Every model, by id then version. */
  all(): ObjectModel[] {
    return this.objectIds().flatMap((id) => this.byId.get(id) ?? []);
  }

  /** Number of object versions held. */
  get size(): number {
    let count = 0;
    for (const versions of this.byId.values()) count += versions.length;
    return count;
  }

  /**
   * The resource model at /objectId/x/resourceId. With a version that is not held (or no
   * version) the latest definition answers: for typing values it beats knowing nothing.
   */
  resource(objectId: number, resourceId: number, version?: string): ResourceModel | undefined {
    const model = (version === undefined ? undefined : this.get(objectId, version)) ?? this.latest(objectId);
    return model?.resources.get(resourceId);
  }

  /**
   * A {@link ResourceModelLookup} for codecs. Pass the versions a client registered with
   * (a resolver or a map id -> version); objects without one use the latest version.
   * The lookup reads the registry live, so models added later are seen.
   */
  lookup(versions?: ObjectVersionResolver | ReadonlyMap<number, string>): ResourceModelLookup {
    const resolve: ObjectVersionResolver =
      versions === undefined ? () => undefined : typeof versions === 'function' ? versions : (id) => versions.get(id);
    return (objectId, resourceId) => this.resource(objectId, resourceId, resolve(objectId));
  }
}

function isModel(value: ObjectModel | Iterable<ObjectModel>): value is ObjectModel {
  return typeof (value as ObjectModel).id === 'number' && (value as ObjectModel).resources instanceof Map;
}
