/**
 * What a user implements per object instance: read / write / execute hooks. The client does
 * paths, content formats, validation, permissions and notifications around them.
 */
import type { Peer } from '@lwm2m-ts/coap';
import type { LwM2mValue, ObjectModel } from '@lwm2m-ts/objects';
import type { ExecuteArgument } from './execute-arguments';

/** A single resource's value, or the instances of a multiple resource (id -> value). */
export type ResourceContent = LwM2mValue | ReadonlyMap<number, LwM2mValue>;

export const isMultipleContent = (c: ResourceContent): c is ReadonlyMap<number, LwM2mValue> => c instanceof Map;

/**
 * Who asks: a management server (its Short Server ID), a peer the `directAccess` option lets in
 * (another device, a tool), the bootstrap server, or the device itself.
 */
export type Requester =
  | { readonly kind: 'server'; readonly shortServerId: number }
  | { readonly kind: 'peer'; readonly peer: Peer }
  | { readonly kind: 'bootstrap' }
  | { readonly kind: 'local' };

export const LOCAL: Requester = Object.freeze({ kind: 'local' });
export const BOOTSTRAP: Requester = Object.freeze({ kind: 'bootstrap' });

export interface WriteContext {
  readonly requester: Requester;
  /** True for a replacing Write (PUT) or Create, false for a partial update (POST, iPATCH). */
  readonly replace: boolean;
}

/** What the client hands an instance when it is added to an object. */
export interface InstanceBinding {
  readonly objectId: number;
  readonly instanceId: number;
  readonly model: ObjectModel;
  /** Tell the client resource values changed (all resources when omitted): drives Observe. */
  changed(resourceIds?: readonly number[]): void;
  /** Client actions built-in objects trigger (Server object Execute resources). */
  readonly control: ClientControl;
}

/** What executable resources of the built-in objects ask the client to do. */
export interface ClientControl {
  /** /1/x/8 Registration Update Trigger. */
  triggerUpdate(shortServerId: number): void;
  /** /1/x/4 Disable: de-register and stay away for `seconds`. */
  disableServer(shortServerId: number, seconds: number): void;
  /** /1/x/9 Bootstrap-Request Trigger. */
  requestBootstrap(): void;
  /** Current time in ms (the client's clock). */
  now(): number;
  /** Runs `action` on the client's clock after the current exchange answered (Reboot, Factory Reset). */
  defer(action: () => void): void;
}

/** A control that does nothing (objects used outside a client, e.g. in unit tests). */
export const NO_CONTROL: ClientControl = Object.freeze({
  triggerUpdate: () => {},
  disableServer: () => {},
  requestBootstrap: () => {},
  now: () => Date.now(),
  defer: (action: () => void) => void setTimeout(action, 0),
});

/**
 * One object instance. Throw a `CoapError` (e.g. `CoapError.badRequest('why')`) to refuse an
 * operation with that code; anything else thrown becomes 5.00.
 */
export interface InstanceEnabler {
  /** Called once when the instance joins an object (before any other call). */
  bind?(binding: InstanceBinding): void;
  /** Ids of the resources this instance has (readable, writable or executable). */
  resourceIds(): Iterable<number>;
  /** Current content of a resource; undefined when it is absent (4.04). */
  read(resourceId: number, requester: Requester): ResourceContent | undefined | Promise<ResourceContent | undefined>;
  /** Stores a new value (already validated against the model). */
  write(resourceId: number, content: ResourceContent, context: WriteContext): void | Promise<void>;
  /** Removes an optional resource (a replacing Write of the instance that leaves it out). */
  removeResource?(resourceId: number, context: WriteContext): void | Promise<void>;
  execute(resourceId: number, args: readonly ExecuteArgument[], requester: Requester): void | Promise<void>;
  /** The instance is being deleted. */
  destroy?(requester: Requester): void | Promise<void>;
}
