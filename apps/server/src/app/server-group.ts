/**
 * One LwM2M server per transport (UDP, TCP, WebSocket: a `CoapLwM2mServer` drives one), seen by
 * the API as one: each operation goes to the server the client registered with.
 */
import type { LwM2mNode, ObjectInstance } from '@lwm2m-ts/objects';
import {
  type CancelMode,
  type CoapLwM2mServer,
  type ExecuteArgument,
  type FormatOptions,
  type NotificationAttributes,
  type ObservationInfo,
  type PathInput,
  type QueuedRequest,
  type Registration,
  type RequestOptions,
  UnknownEndpointError,
} from '@lwm2m-ts/server';

type CompositeOptions = RequestOptions & { requestFormat?: number; responseFormat?: number };

export class ServerGroup {
  readonly #servers: CoapLwM2mServer[] = [];
  /** registration id -> the server holding it. */
  readonly #byRegistration = new Map<string, CoapLwM2mServer>();

  constructor(servers: readonly CoapLwM2mServer[] = []) {
    for (const server of servers) this.add(server);
  }

  add(server: CoapLwM2mServer): void {
    this.#servers.push(server);
    server.events.on('registered', ({ registration, previous }) => {
      if (previous) this.#byRegistration.delete(previous.id);
      this.#byRegistration.set(registration.id, server);
    });
    const ended = ({ registration }: { registration: Registration }) => this.#byRegistration.delete(registration.id);
    server.events.on('deregistered', ended);
    server.events.on('expired', ended);
  }

  get servers(): readonly CoapLwM2mServer[] {
    return this.#servers;
  }

  /** The newest registration of an endpoint over every transport, with its server. */
  async #find(endpoint: string): Promise<{ server: CoapLwM2mServer; registration: Registration } | undefined> {
    let found: { server: CoapLwM2mServer; registration: Registration } | undefined;
    for (const server of this.#servers) {
      const registration = await server.getRegistration(endpoint);
      if (registration && (!found || registration.lastUpdate > found.registration.lastUpdate))
        found = { server, registration };
    }
    if (!found) return undefined;
    // Servers sharing one store (cluster mode) all return the registration: the server whose
    // `registered` event mapped it is the one that holds the device's transport. Otherwise the
    // store is the authority; that event fires only after the answer went out, so a lookup can
    // come first.
    const mapped = this.#byRegistration.get(found.registration.id);
    if (mapped) return { server: mapped, registration: found.registration };
    this.#byRegistration.set(found.registration.id, found.server);
    return found;
  }

  async #owner(endpoint: string): Promise<CoapLwM2mServer> {
    const found = await this.#find(endpoint);
    if (!found) throw new UnknownEndpointError(endpoint);
    return found.server;
  }

  async getRegistration(endpoint: string): Promise<Registration | undefined> {
    return (await this.#find(endpoint))?.registration;
  }

  async listRegistrations(): Promise<Registration[]> {
    const byEndpoint = new Map<string, Registration>();
    for (const server of this.#servers) {
      for (const r of await server.listRegistrations()) {
        const seen = byEndpoint.get(r.endpoint);
        if (!seen || r.lastUpdate > seen.lastUpdate) {
          byEndpoint.set(r.endpoint, r);
          if (!this.#byRegistration.has(r.id)) this.#byRegistration.set(r.id, server);
        }
      }
    }
    return [...byEndpoint.values()];
  }

  isSleeping(registration: Registration): boolean {
    return this.#byRegistration.get(registration.id)?.isSleeping(registration) ?? false;
  }

  /** The transport scheme a registration came over ("coap", "coap+tcp", "coap+ws"). */
  schemeOf(registration: Registration): string | undefined {
    return this.#byRegistration.get(registration.id)?.endpoint.transport.scheme;
  }

  async read(endpoint: string, path: PathInput, options?: FormatOptions) {
    return (await this.#owner(endpoint)).read(endpoint, path, options);
  }
  async write(
    endpoint: string,
    path: PathInput,
    node: LwM2mNode,
    options?: FormatOptions & { mode?: 'replace' | 'update' },
  ) {
    return (await this.#owner(endpoint)).write(endpoint, path, node, options);
  }
  async execute(
    endpoint: string,
    path: PathInput,
    options?: RequestOptions & { arguments?: readonly ExecuteArgument[] },
  ) {
    return (await this.#owner(endpoint)).execute(endpoint, path, options);
  }
  async create(
    endpoint: string,
    path: PathInput,
    instance: ObjectInstance,
    options?: FormatOptions & { clientChoosesId?: boolean },
  ) {
    return (await this.#owner(endpoint)).create(endpoint, path, instance, options);
  }
  async delete(endpoint: string, path: PathInput, options?: RequestOptions) {
    return (await this.#owner(endpoint)).delete(endpoint, path, options);
  }
  async discover(endpoint: string, path: PathInput, options?: RequestOptions & { depth?: number }) {
    return (await this.#owner(endpoint)).discover(endpoint, path, options);
  }
  async writeAttributes(
    endpoint: string,
    path: PathInput,
    attributes: NotificationAttributes,
    options?: RequestOptions,
  ) {
    return (await this.#owner(endpoint)).writeAttributes(endpoint, path, attributes, options);
  }
  async readComposite(endpoint: string, paths: readonly PathInput[], options?: CompositeOptions) {
    return (await this.#owner(endpoint)).readComposite(endpoint, paths, options);
  }
  async writeComposite(endpoint: string, nodes: ReadonlyMap<string, LwM2mNode>, options?: FormatOptions) {
    return (await this.#owner(endpoint)).writeComposite(endpoint, nodes, options);
  }
  async observe(endpoint: string, path: PathInput, options?: FormatOptions) {
    return (await this.#owner(endpoint)).observe(endpoint, path, options);
  }
  async observeComposite(endpoint: string, paths: readonly PathInput[], options?: CompositeOptions) {
    return (await this.#owner(endpoint)).observeComposite(endpoint, paths, options);
  }

  async listObservations(registration: Registration): Promise<ObservationInfo[]> {
    const server = this.#byRegistration.get(registration.id);
    return server ? server.observations.store.listByRegistration(registration.id) : [];
  }

  async getObservation(id: string): Promise<ObservationInfo | undefined> {
    for (const server of this.#servers) {
      const info = await server.observations.store.get(id);
      if (info) return info;
    }
    return undefined;
  }

  async cancelObservation(id: string, mode: CancelMode, options: RequestOptions = {}): Promise<boolean> {
    for (const server of this.#servers) {
      if (await server.observations.store.get(id)) return server.cancelObservation(id, mode, options);
    }
    return false;
  }

  /** Removes a registration as if the client had de-registered. */
  async forceDeregister(registration: Registration): Promise<boolean> {
    const server = this.#byRegistration.get(registration.id) ?? (await this.#find(registration.endpoint))?.server;
    if (!server) return false;
    const result = await server.registrations.deregister(registration.id, registration.peer);
    return result.registration !== undefined;
  }

  async queueList(endpoint: string): Promise<QueuedRequest[]> {
    const lists = await Promise.all(this.#servers.map((s) => s.queue.list(endpoint)));
    // Servers sharing one queue store (cluster mode) list the same requests: once each.
    const byId = new Map(lists.flat().map((q) => [q.id, q]));
    return [...byId.values()].sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  }

  async queueCancel(id: string): Promise<boolean> {
    for (const server of this.#servers) if (await server.queue.cancel(id)) return true;
    return false;
  }
}
