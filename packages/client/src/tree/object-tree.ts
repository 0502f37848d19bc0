/**
 * The client's objects: ObjectEnablers by id, resolved against the model registry, with change
 * events (instances added/removed -> registration Update; values changed -> Observe).
 */
import { compareVersions, type LwM2mPath, type ModelRegistry, type ObjectModel } from '@lwm2m-ts/objects';
import { type ClientControl, NO_CONTROL } from '../enabler/instance-enabler';
import { type ObjectDefinition, ObjectEnabler, type ObjectTreeEvents } from '../enabler/object-enabler';

export interface ObjectTreeListener {
  instancesChanged?(objectId: number): void;
  valuesChanged?(paths: readonly LwM2mPath[]): void;
}

export class ObjectTree {
  private readonly objects = new Map<number, ObjectEnabler>();
  private readonly listeners = new Set<ObjectTreeListener>();
  private readonly events: ObjectTreeEvents = {
    instancesChanged: (id) => {
      for (const l of this.listeners) l.instancesChanged?.(id);
    },
    valuesChanged: (paths) => {
      for (const l of this.listeners) l.valuesChanged?.(paths);
    },
  };

  constructor(
    readonly models: ModelRegistry,
    private readonly control: ClientControl = NO_CONTROL,
    /** Objects without an explicit version get the newest one defined for this LwM2M version. */
    private readonly lwm2mVersion = '1.2',
  ) {}

  /** Adds (or replaces) an object; throws when the registry has no model for it. */
  add(definition: ObjectDefinition): ObjectEnabler {
    const model = this.modelOf(definition.id, definition.version);
    const enabler = new ObjectEnabler(model, definition, this.events, this.control);
    this.objects.set(model.id, enabler);
    this.events.instancesChanged(model.id);
    return enabler;
  }

  remove(objectId: number): boolean {
    if (!this.objects.delete(objectId)) return false;
    this.events.instancesChanged(objectId);
    return true;
  }

  get(objectId: number): ObjectEnabler | undefined {
    return this.objects.get(objectId);
  }

  /** Object ids, ascending. */
  ids(): number[] {
    return [...this.objects.keys()].sort((a, b) => a - b);
  }

  all(): ObjectEnabler[] {
    return this.ids().map((id) => this.objects.get(id)!);
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  listen(listener: ObjectTreeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tell observers that values under `paths` changed (device side). */
  valuesChanged(paths: readonly LwM2mPath[]): void {
    this.events.valuesChanged(paths);
  }

  private newestFor(id: number): ObjectModel | undefined {
    const fitting = this.models
      .versions(id)
      .map((v) => this.models.get(id, v)!)
      .filter((m) => compareVersions(m.lwm2mVersion, this.lwm2mVersion) <= 0);
    return fitting[fitting.length - 1] ?? this.models.latest(id);
  }

  /** Versions of the objects present, for codecs (`ModelRegistry.lookup`). */
  versions(): ReadonlyMap<number, string> {
    return new Map(this.all().map((o) => [o.id, o.version]));
  }

  private modelOf(id: number, version: string | undefined): ObjectModel {
    const model = version === undefined ? this.newestFor(id) : this.models.get(id, version);
    if (!model)
      throw new RangeError(
        version === undefined
          ? `no model for object ${id}: add its DDF to the model registry`
          : `no model for object ${id} version ${version}`,
      );
    return model;
  }
}
