/**
 * Notices when a server account goes away, so what the client keeps per server (notification
 * attributes, observations and their stored notifications) goes with it and never carries over
 * to a new account that reuses the Short Server ID.
 *
 * An account is its Server (1) instance plus the Security (0) instance of the same Short Server
 * ID. It is gone when either instance is deleted or replaced by another one (Bootstrap-Delete,
 * a DM Delete, a re-bootstrap that deletes and writes the accounts anew, the device removing
 * it), or when the Short Server ID of either changes. Writing other values into the same
 * instances (lifetime, binding, even the server URI) reconfigures the same account: its state
 * stays. A de-registration does not remove an account either (see `AttributeStore`).
 *
 * It also notices accounts that appear (both instances present with a matching, valid Short
 * Server ID and a usable Server URI), so the client registers with them, and reports each
 * malformed account once (see `Accounts.problems`) instead of silently ignoring it.
 *
 * Instance removals are seen at once (the object tree reports them synchronously, before the
 * next request is handled); Short Server ID changes after the values were read again.
 */
import type { InstanceEnabler } from '../enabler/instance-enabler';
import type { ObjectTree } from '../tree/object-tree';
import { type Accounts, readAccounts } from './server-accounts';

const SECURITY = 0;
const SERVER = 1;

interface KnownAccount {
  readonly server: InstanceEnabler;
  readonly security: InstanceEnabler;
}

export interface AccountWatchDeps {
  readonly tree: ObjectTree;
  /** The account of this Short Server ID went away: forget what belongs to that server. */
  removed(shortServerId: number): void;
  /** Reading the Security or Server values failed (the watch carries on with what it knew). */
  onError(error: unknown): void;
  /** Accounts of these Short Server IDs appeared (new, replaced, or now valid). */
  added?(shortServerIds: readonly number[]): void;
  /** A Server instance is left out as malformed (reported once until it changes). */
  invalid?(error: Error): void;
}

export class AccountWatch {
  /** Short Server ID -> the instances that make up its account, as last read. */
  private readonly known = new Map<number, KnownAccount>();
  private reported = new Set<string>();
  private dirty = false;
  private running: Promise<void> | undefined;

  constructor(private readonly d: AccountWatchDeps) {}

  /** Instances of an object were added or removed. */
  instancesChanged(objectId: number): void {
    if (objectId !== SECURITY && objectId !== SERVER) return;
    for (const [ssid, k] of [...this.known]) {
      if (this.instanceAt(SERVER, k.server) && this.instanceAt(SECURITY, k.security)) continue;
      this.known.delete(ssid);
      this.d.removed(ssid);
    }
    void this.resync();
  }

  /** Values changed somewhere: a Short Server ID may have changed. */
  valuesChanged(paths: readonly { readonly objectId: number | undefined }[]): void {
    if (paths.some((p) => p.objectId === SECURITY || p.objectId === SERVER)) void this.resync();
  }

  /** Reads the accounts again (coalesced); resolves once what was read is applied. */
  resync(): Promise<void> {
    this.dirty = true;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const before = this.instances();
      let accounts: Accounts;
      try {
        accounts = await readAccounts(this.d.tree);
      } catch (error) {
        this.d.onError(error);
        return;
      }
      // The tree changed while it was read: what was read may mix old and new, read again.
      if (this.dirty || !sameInstances(before, this.instances())) {
        this.dirty = true;
        continue;
      }
      this.apply(accounts, before);
    }
  }

  private apply(accounts: Accounts, instances: Instances): void {
    const next = new Map<number, KnownAccount>();
    for (const a of accounts.servers) {
      const server = instances[SERVER].get(a.serverInstanceId);
      const security = instances[SECURITY].get(a.securityInstanceId);
      if (server && security) next.set(a.shortServerId, { server, security });
    }
    for (const [ssid, k] of [...this.known]) {
      const now = next.get(ssid);
      if (now && now.server === k.server && now.security === k.security) continue;
      this.known.delete(ssid);
      this.d.removed(ssid);
    }
    const added: number[] = [];
    for (const [ssid, k] of next) {
      if (!this.known.has(ssid)) added.push(ssid);
      this.known.set(ssid, k);
    }
    const problems = new Set(accounts.problems);
    for (const p of problems) if (!this.reported.has(p)) this.d.invalid?.(new RangeError(p));
    this.reported = problems;
    if (added.length > 0) this.d.added?.(added);
  }

  private instanceAt(objectId: number, instance: InstanceEnabler): boolean {
    const object = this.d.tree.get(objectId);
    return object?.instanceIds().some((id) => object.instance(id) === instance) ?? false;
  }

  private instances(): Instances {
    const of = (objectId: number) => {
      const object = this.d.tree.get(objectId);
      const out = new Map<number, InstanceEnabler>();
      for (const id of object?.instanceIds() ?? []) out.set(id, object!.instance(id)!);
      return out;
    };
    return { [SECURITY]: of(SECURITY), [SERVER]: of(SERVER) };
  }
}

type Instances = Record<typeof SECURITY | typeof SERVER, Map<number, InstanceEnabler>>;

function sameInstances(a: Instances, b: Instances): boolean {
  for (const id of [SECURITY, SERVER] as const) {
    if (a[id].size !== b[id].size) return false;
    for (const [k, v] of a[id]) if (b[id].get(k) !== v) return false;
  }
  return true;
}
