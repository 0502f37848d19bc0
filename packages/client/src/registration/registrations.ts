/**
 * Every server registration of a client: one RegistrationSession per server account of
 * objects 0/1, kept in step with those objects (new lifetime or binding -> Update, instances
 * added or removed -> Update with the new links, an account added -> Register, an account
 * removed -> De-register and forget, a new Server URI -> De-register there, Register at the new
 * one), Disable (/1/x/4) and its timeout.
 */
import type { Clock } from '@lwm2m-ts/coap';
import type { ClientEventEmitter } from '../client-events';
import type { Connection } from '../security/account-connections';
import type { ObjectTree } from '../tree/object-tree';
import { registrationPayload } from './registration-payload';
import { type RegistrationEvent, RegistrationSession } from './registration-session';
import { type Accounts, readAccounts, type ServerAccount } from './server-accounts';

export interface RegistrationsDeps {
  readonly clock: Clock;
  readonly tree: ObjectTree;
  readonly events: ClientEventEmitter;
  readonly endpointName: string;
  readonly lwm2mVersion: string;
  readonly queueMode: boolean;
  readonly preferredContentFormat: number;
  /** The account's connection (built from its Security instance). */
  connect(account: ServerAccount): Promise<Connection>;
  /** Before a Register/Update goes out (queue mode wakes up). */
  beforeSend(): void;
  /** After a successful Register/Update (queue mode flushes held notifications). */
  afterSuccess(): void;
  /** A server's registration ended or restarted: its observations are gone. */
  forgetObservations(shortServerId: number): void;
  /** Retries ran out for this account (bootstrap may follow). */
  gaveUp(account: ServerAccount): void;
  /** Updates wait while a bootstrap runs. */
  bootstrapping(): boolean;
  /** The account's registration is over and no new one took its place: close its connection. */
  release(shortServerId: number): void;
}

export class Registrations {
  accounts: Accounts = { servers: [], bootstrap: undefined, problems: [] };
  private readonly sessions = new Map<number, RegistrationSession>();
  private readonly disabled = new Map<number, unknown>();
  /** Sessions of removed or moved accounts, de-registering on their way out. */
  private readonly retiring = new WeakSet<RegistrationSession>();
  private updateScheduled = false;
  private active = false;

  constructor(private readonly d: RegistrationsDeps) {}

  async readAccounts(): Promise<Accounts> {
    this.accounts = await readAccounts(this.d.tree);
    return this.accounts;
  }

  get(shortServerId: number): RegistrationSession | undefined {
    return this.sessions.get(shortServerId);
  }

  all(): RegistrationSession[] {
    return [...this.sessions.values()];
  }

  /** The session whose server sends from `peerKey` (over the shared endpoint). */
  byPeer(peerKey: string): RegistrationSession | undefined {
    return this.all().find((s) => s.peer?.key === peerKey && s.connection?.dedicated === false);
  }

  /**
   * Starts a session for every account without one. Resolves after each new session's first
   * attempt (retries go on in the background and are reported as events).
   */
  async registerAll(): Promise<void> {
    this.active = true;
    await this.readAccounts();
    const first: Promise<unknown>[] = [];
    for (const account of this.accounts.servers) {
      if (this.sessions.has(account.shortServerId) || this.disabled.has(account.shortServerId)) continue;
      const session = this.newSession(account);
      this.sessions.set(account.shortServerId, session);
      void session.start();
      first.push(session.firstAttempt);
    }
    await Promise.all(first);
  }

  /** Stops every session without telling the servers (bootstrap, shutdown). */
  stopAll(): void {
    for (const s of this.sessions.values()) {
      s.stop();
      this.d.forgetObservations(s.shortServerId);
    }
    this.sessions.clear();
  }

  /** De-registers from every server, then stops. */
  async close(deregister: boolean): Promise<void> {
    this.active = false;
    if (deregister) await Promise.allSettled(this.all().map((s) => s.deregister()));
    this.stopAll();
    for (const t of this.disabled.values()) this.d.clock.clearTimeout(t);
    this.disabled.clear();
  }

  /** /1/x/4 Disable: de-register now, register again after `seconds`. */
  async disable(shortServerId: number, seconds: number): Promise<void> {
    const session = this.sessions.get(shortServerId);
    if (!session) return;
    this.sessions.delete(shortServerId);
    // De-register after the Execute's 2.04 went out.
    await Promise.resolve();
    await session.deregister().catch(() => {});
    session.stop();
    this.disabled.set(
      shortServerId,
      this.d.clock.setTimeout(() => {
        this.disabled.delete(shortServerId);
        if (this.active) void this.registerAll();
      }, seconds * 1000),
    );
  }

  /**
   * Server accounts appeared (created by a server or the device, or made valid): register with
   * those that have no session, as at start. Nothing before start, after close or while a
   * bootstrap runs (Bootstrap-Finish registers with what it wrote).
   */
  async accountsAdded(): Promise<void> {
    if (!this.active || this.d.bootstrapping()) return;
    await this.registerAll();
  }

  /**
   * The account of `shortServerId` is gone (its Server or Security instance deleted or replaced,
   * its Short Server ID changed): De-register once if registered (LwM2M does not say what a
   * client owes a server whose account was deleted; telling it is cheap and spares it a stale
   * registration until the lifetime runs out), no more Updates or retries, and its connection
   * is closed unless a new account of the same Short Server ID registered meanwhile.
   */
  remove(shortServerId: number): void {
    const disabled = this.disabled.get(shortServerId);
    if (disabled !== undefined) {
      this.d.clock.clearTimeout(disabled);
      this.disabled.delete(shortServerId);
    }
    const session = this.sessions.get(shortServerId);
    this.sessions.delete(shortServerId);
    const release = () => {
      if (!this.sessions.has(shortServerId)) this.d.release(shortServerId);
    };
    if (!session) {
      release();
      return;
    }
    this.d.forgetObservations(shortServerId);
    this.retiring.add(session);
    void session.retire().finally(release);
  }

  /** Server or Security values changed: a new lifetime or binding goes out in an Update. */
  async refresh(): Promise<void> {
    if (!this.active || this.d.bootstrapping()) return;
    await this.readAccounts();
    for (const account of this.accounts.servers) {
      const session = this.sessions.get(account.shortServerId);
      if (!session) continue;
      if (session.account.uri !== account.uri) {
        // The server moved: register there from scratch (the old one is told, best effort).
        this.retiring.add(session);
        void session.retire();
        this.sessions.delete(account.shortServerId);
        this.d.forgetObservations(account.shortServerId);
        void this.registerAll();
        continue;
      }
      const changed = session.account.lifetime !== account.lifetime || session.account.binding !== account.binding;
      session.account = account;
      if (changed) void session.update();
    }
  }

  /** Objects or instances changed: one Update per server with the new links (batched). */
  scheduleUpdate(): void {
    if (!this.active || this.updateScheduled) return;
    this.updateScheduled = true;
    this.d.clock.setTimeout(() => {
      this.updateScheduled = false;
      if (this.d.bootstrapping()) return;
      for (const s of this.sessions.values()) void s.update({ onlyIfChanged: true });
    }, 0);
  }

  private newSession(account: ServerAccount): RegistrationSession {
    const session: RegistrationSession = new RegistrationSession(
      {
        clock: this.d.clock,
        endpointName: this.d.endpointName,
        lwm2mVersion: this.d.lwm2mVersion,
        queueMode: this.d.queueMode,
        payload: () =>
          registrationPayload(this.d.tree, {
            lwm2mVersion: this.d.lwm2mVersion,
            preferredContentFormat: this.d.preferredContentFormat,
          }),
        connect: (a) => this.d.connect(a),
        emit: (e) => this.onEvent(e, session),
        beforeSend: () => this.d.beforeSend(),
        afterSuccess: () => this.d.afterSuccess(),
        onGiveUp: (a) => this.d.gaveUp(a),
      },
      account,
    );
    return session;
  }

  private onEvent(e: RegistrationEvent, session: RegistrationSession): void {
    const events = this.d.events;
    if (this.retiring.has(session)) {
      // A retired session (account removed or moved) de-registering: the current account of
      // that Short Server ID, if any, keeps its observations.
      if (e.type === 'deregistered') events.emit('deregistered', { shortServerId: e.shortServerId });
      return;
    }
    switch (e.type) {
      case 'registered':
        // A new registration: the server forgot what it observed before.
        this.d.forgetObservations(e.shortServerId);
        events.emit('registered', { shortServerId: e.shortServerId, location: e.location });
        break;
      case 'updated':
        events.emit('updated', { shortServerId: e.shortServerId });
        break;
      case 'deregistered':
        this.d.forgetObservations(e.shortServerId);
        events.emit('deregistered', { shortServerId: e.shortServerId });
        break;
      case 'retry':
        events.emit('registrationRetry', e);
        break;
      case 'failed':
        events.emit('registrationFailed', { shortServerId: e.shortServerId, error: e.error });
        break;
    }
  }
}
