/**
 * A ready-made InstanceEnabler: resource values kept in memory, typed by the object model,
 * with optional hooks for reads (live values), writes and executes.
 */
import { CoapError } from '@lwm2m-ts/coap';
import type { LwM2mValue, ObjectModel } from '@lwm2m-ts/objects';
import type { ExecuteArgument } from './execute-arguments';
import type { InstanceBinding, InstanceEnabler, Requester, ResourceContent, WriteContext } from './instance-enabler';
import { type PlainContent, toContent } from './plain-values';

export interface SimpleInstanceOptions {
  /** Initial values by resource id (typed with the model once bound); undefined ones are left out. */
  readonly values?: Readonly<Record<number, PlainContent | undefined>>;
  /** Live values: called on every read of that resource (e.g. a sensor or the clock). */
  readonly readers?: Readonly<Record<number, (requester: Requester) => PlainContent | undefined>>;
  /** Executable resources: id -> action. */
  readonly execute?: Readonly<
    Record<number, (args: readonly ExecuteArgument[], requester: Requester) => void | Promise<void>>
  >;
  /** Called after a server wrote a resource (the new value is already stored). */
  readonly onWrite?: (resourceId: number, content: ResourceContent, context: WriteContext) => void;
}

export class SimpleInstance implements InstanceEnabler {
  private readonly stored = new Map<number, ResourceContent>();
  protected binding: InstanceBinding | undefined;
  private pending: Readonly<Record<number, PlainContent | undefined>> | undefined;

  constructor(private readonly options: SimpleInstanceOptions = {}) {
    this.pending = options.values;
  }

  bind(binding: InstanceBinding): void {
    this.binding = binding;
    if (this.pending) {
      for (const [id, plain] of Object.entries(this.pending))
        if (plain !== undefined) this.stored.set(Number(id), this.type(Number(id), plain));
      this.pending = undefined;
    }
  }

  get model(): ObjectModel {
    if (!this.binding) throw new Error('instance is not added to an object yet');
    return this.binding.model;
  }

  /** The stored or live content of a resource. */
  get(resourceId: number): ResourceContent | undefined {
    const reader = this.options.readers?.[resourceId];
    if (reader) {
      const plain = reader({ kind: 'local' });
      return plain === undefined ? undefined : this.type(resourceId, plain);
    }
    return this.stored.get(resourceId);
  }

  /** The value of a single resource as plain JavaScript (undefined when absent or multiple). */
  value(resourceId: number): LwM2mValue['value'] | undefined {
    const c = this.get(resourceId);
    return c === undefined || c instanceof Map ? undefined : (c as LwM2mValue).value;
  }

  /** Sets a value from the device side and tells the client (observers may be notified). */
  set(resourceId: number, plain: PlainContent): void {
    this.store(resourceId, plain);
    this.binding?.changed([resourceId]);
  }

  /** Sets a value without telling the client (callers batch their own `changed`). */
  protected store(resourceId: number, plain: PlainContent): void {
    this.stored.set(resourceId, this.type(resourceId, plain));
  }

  /** Removes a resource from the device side. */
  unset(resourceId: number): void {
    if (this.stored.delete(resourceId)) this.binding?.changed([resourceId]);
  }

  resourceIds(): number[] {
    const ids = new Set<number>(this.stored.keys());
    for (const id of Object.keys(this.options.readers ?? {})) ids.add(Number(id));
    for (const id of Object.keys(this.options.execute ?? {})) ids.add(Number(id));
    return [...ids].sort((a, b) => a - b);
  }

  read(resourceId: number, requester: Requester): ResourceContent | undefined {
    const reader = this.options.readers?.[resourceId];
    if (reader) {
      const plain = reader(requester);
      return plain === undefined ? undefined : this.type(resourceId, plain);
    }
    return this.stored.get(resourceId);
  }

  write(resourceId: number, content: ResourceContent, context: WriteContext): void {
    this.stored.set(resourceId, content);
    this.options.onWrite?.(resourceId, content, context);
  }

  removeResource(resourceId: number): void {
    this.stored.delete(resourceId);
  }

  execute(resourceId: number, args: readonly ExecuteArgument[], requester: Requester): void | Promise<void> {
    const action = this.options.execute?.[resourceId];
    if (!action) throw CoapError.methodNotAllowed(`resource ${resourceId} has no execute action`);
    return action(args, requester);
  }

  private type(resourceId: number, plain: PlainContent): ResourceContent {
    const resource = this.model.resources.get(resourceId);
    if (!resource) throw new RangeError(`object ${this.model.id} (${this.model.name}) has no resource ${resourceId}`);
    return toContent(resource, plain);
  }
}
