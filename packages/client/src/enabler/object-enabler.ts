/**
 * One LwM2M object on the client: its model, its instances (InstanceEnablers) and how to make
 * new ones on Create.
 */
import { LwM2mPath, type ObjectModel } from '@lwm2m-ts/objects';
import { type ClientControl, type InstanceEnabler, NO_CONTROL } from './instance-enabler';
import { SimpleInstance } from './simple-instance';

export interface ObjectDefinition {
  readonly id: number;
  /** Object version (default: the latest the model registry holds). */
  readonly version?: string;
  /** Instances by id. */
  readonly instances?: Readonly<Record<number, InstanceEnabler>> | ReadonlyMap<number, InstanceEnabler>;
  /**
   * Makes the instance a server's Create asks for (its values are written next). Default: a
   * SimpleInstance for multiple-instance objects; single-instance objects refuse Create.
   */
  readonly factory?: ((instanceId: number) => InstanceEnabler) | false;
}

export interface ObjectTreeEvents {
  instancesChanged(objectId: number): void;
  valuesChanged(paths: readonly LwM2mPath[]): void;
}

export class ObjectEnabler {
  readonly id: number;
  private readonly instances = new Map<number, InstanceEnabler>();
  private readonly factory: ((instanceId: number) => InstanceEnabler) | undefined;

  constructor(
    readonly model: ObjectModel,
    definition: ObjectDefinition,
    private readonly events: ObjectTreeEvents,
    private readonly control: ClientControl = NO_CONTROL,
  ) {
    this.id = model.id;
    this.factory =
      definition.factory === false
        ? undefined
        : (definition.factory ?? (model.multiple ? () => new SimpleInstance() : undefined));
    const given = definition.instances;
    const entries =
      given instanceof Map ? [...given] : Object.entries(given ?? {}).map(([k, v]) => [Number(k), v] as const);
    for (const [id, instance] of entries) this.attach(Number(id), instance as InstanceEnabler);
  }

  get version(): string {
    return this.model.version;
  }

  instanceIds(): number[] {
    return [...this.instances.keys()].sort((a, b) => a - b);
  }

  instance(id: number): InstanceEnabler | undefined {
    return this.instances.get(id);
  }

  has(id: number): boolean {
    return this.instances.has(id);
  }

  /** True when a server's Create can make instances. */
  get canCreate(): boolean {
    return this.factory !== undefined;
  }

  /** Lowest free instance id. */
  nextFreeId(): number {
    let id = 0;
    while (this.instances.has(id)) id++;
    return id;
  }

  /** A new instance from the factory (not yet added). */
  makeInstance(id: number): InstanceEnabler {
    if (!this.factory) throw new Error(`object ${this.id} (${this.model.name}) cannot create instances`);
    return this.factory(id);
  }

  /** Adds (or replaces) an instance from the device side; the registration is updated. */
  add(id: number, instance: InstanceEnabler): void {
    if (!this.model.multiple && this.instances.size > 0 && !this.instances.has(id))
      throw new RangeError(`object ${this.id} (${this.model.name}) is single-instance`);
    this.attach(id, instance);
    this.events.instancesChanged(this.id);
  }

  /** Removes an instance; true if it existed. */
  remove(id: number): boolean {
    if (!this.instances.delete(id)) return false;
    this.events.instancesChanged(this.id);
    this.events.valuesChanged([LwM2mPath.of(this.id, id)]);
    return true;
  }

  private attach(id: number, instance: InstanceEnabler): void {
    LwM2mPath.of(this.id, id); // validates the id
    this.instances.set(id, instance);
    instance.bind?.({
      objectId: this.id,
      instanceId: id,
      model: this.model,
      control: this.control,
      changed: (resourceIds) => {
        if (!this.instances.has(id) || this.instances.get(id) !== instance) return;
        this.events.valuesChanged(
          resourceIds === undefined
            ? [LwM2mPath.of(this.id, id)]
            : resourceIds.map((r) => LwM2mPath.of(this.id, id, r)),
        );
      },
    });
  }
}
