/**
 * One server's registration (OMA LwM2M TS Transport §6.2 / Core §6.2): Register with retries
 * and back-off, Update before the lifetime runs out and whenever asked (objects changed,
 * address changed, lifetime or binding changed), De-register.
 */
import { type Clock, CoapError, type CoapResponse, type Peer } from '@lwm2m-ts/coap';
import { CoapCode, ContentFormat } from '@lwm2m-ts/codec';
import type { Connection } from '../security/account-connections';
import type { ServerAccount } from './server-accounts';

export type RegistrationEvent =
  | { readonly type: 'registered'; readonly shortServerId: number; readonly location: string }
  | { readonly type: 'updated'; readonly shortServerId: number }
  | { readonly type: 'deregistered'; readonly shortServerId: number }
  | {
      readonly type: 'retry';
      readonly shortServerId: number;
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: Error;
    }
  | { readonly type: 'failed'; readonly shortServerId: number; readonly error: Error };

export interface RegistrationDeps {
  readonly clock: Clock;
  readonly endpointName: string;
  readonly lwm2mVersion: string;
  readonly queueMode: boolean;
  /** Current registration body (link format). */
  payload(): string;
  /** The account's connection (endpoint + server peer), built from its Security instance. */
  connect(account: ServerAccount): Promise<Connection>;
  emit(event: RegistrationEvent): void;
  /** Called right before a Register or Update goes out (queue mode wakes the client). */
  beforeSend?(): void;
  /** After a successful Register or Update. */
  afterSuccess?(): void;
  /** Ran out of retries (bootstrap may follow). */
  onGiveUp(account: ServerAccount, error: Error): void;
  /** Extra Register query parameters (e.g. "sms=..."). */
  readonly extraQuery?: readonly string[];
  /** Fraction of the lifetime after which the periodic Update goes out (default 0.9). */
  readonly updateAt?: number;
}

export class RegistrationFailedError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistrationFailedError';
  }
}

type State = 'idle' | 'registering' | 'registered' | 'stopped';

export class RegistrationSession {
  private state: State = 'idle';
  private location: string[] | undefined;
  private timer: unknown;
  private wakeSleeper: (() => void) | undefined;
  private sent: { lifetime: number; binding: string; payload: string } | undefined;
  private updating: Promise<boolean> | undefined;
  private generation = 0;
  private retired = false;
  connection: Connection | undefined;
  private settleFirst: ((registered: boolean) => void) | undefined;
  /** Resolves after the first Register attempt: true if it succeeded. */
  readonly firstAttempt: Promise<boolean>;

  constructor(
    private readonly deps: RegistrationDeps,
    public account: ServerAccount,
  ) {
    this.firstAttempt = new Promise((resolve) => {
      this.settleFirst = resolve;
    });
  }

  private first(registered: boolean): void {
    this.settleFirst?.(registered);
    this.settleFirst = undefined;
  }

  get peer(): Peer | undefined {
    return this.connection?.peer;
  }

  get shortServerId(): number {
    return this.account.shortServerId;
  }
  get registered(): boolean {
    return this.state === 'registered';
  }
  /** "/rd/5a3f" */
  get registrationLocation(): string | undefined {
    return this.location ? `/${this.location.join('/')}` : undefined;
  }

  /** Starts registering (retries in the background); resolves after the first attempt sequence settles. */
  async start(): Promise<boolean> {
    if (this.state === 'stopped') return false;
    this.state = 'registering';
    const gen = ++this.generation;
    const a = this.account;
    let attempt = 0;
    let lastError: Error | undefined;
    for (let sequence = 0; sequence < Math.max(1, a.sequenceRetryCount); sequence++) {
      if (sequence > 0) {
        const delayMs = a.sequenceDelay * 1000 * 2 ** (sequence - 1);
        if (!(await this.sleep(delayMs, gen))) return false;
      }
      for (let n = 0; n < Math.max(1, a.retryCount); n++) {
        attempt++;
        try {
          await this.register();
          this.first(true);
          return gen === this.generation;
        } catch (e) {
          this.first(false);
          if (gen !== this.generation) return false;
          const error = e instanceof Error ? e : new Error(String(e));
          lastError = error;
          const last = n === Math.max(1, a.retryCount) - 1;
          if (last) break;
          const delayMs = a.retryTimer * 1000 * 2 ** n;
          this.deps.emit({ type: 'retry', shortServerId: a.shortServerId, attempt, delayMs, error });
          if (!(await this.sleep(delayMs, gen))) return false;
        }
      }
    }
    if (gen !== this.generation) return false;
    const error = new RegistrationFailedError(
      `registration to ${a.uri} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}` +
        (lastError ? `: ${lastError.message}` : ''),
      lastError instanceof RegistrationFailedError ? lastError.code : undefined,
      { cause: lastError },
    );
    this.state = 'idle';
    this.deps.emit({ type: 'failed', shortServerId: a.shortServerId, error });
    this.deps.onGiveUp(a, error);
    return false;
  }

  /**
   * Sends an Update now (only what changed: lt, b, object links). A server that answers 4.04
   * (or no answer) means the registration is gone: register again.
   */
  update(options: { forcePayload?: boolean; onlyIfChanged?: boolean } = {}): Promise<boolean> {
    if (this.state !== 'registered' || !this.location) return Promise.resolve(false);
    if (this.updating) return this.updating.then(() => this.update(options));
    this.updating = this.doUpdate(options.forcePayload ?? false, options.onlyIfChanged ?? false).finally(() => {
      this.updating = undefined;
    });
    return this.updating;
  }

  /** De-register (DELETE on the registration location); stops periodic updates. */
  async deregister(): Promise<void> {
    const location = this.location;
    const wasRegistered = this.state === 'registered';
    this.cancelTimer();
    this.generation++;
    this.state = 'idle';
    this.location = undefined;
    this.sent = undefined;
    const c = this.connection;
    if (!wasRegistered || !location || !c) return;
    this.deps.beforeSend?.();
    try {
      await c.endpoint.request({ method: 'DELETE', peer: c.peer, path: location });
    } finally {
      this.deps.emit({ type: 'deregistered', shortServerId: this.account.shortServerId });
    }
  }

  /**
   * The account is gone (its Server or Security instance deleted or replaced, or it moved to
   * another URI): De-register if registered (one attempt, failures ignored), and stop for good.
   * A Register still in flight is de-registered as soon as it is answered.
   */
  async retire(): Promise<void> {
    this.retired = true;
    try {
      // deregister() stops the Update timer at once and sends only for a live registration.
      await this.deregister();
    } catch {
      // Best effort: the server drops the registration when its lifetime runs out anyway.
    } finally {
      this.stop();
    }
  }

  /** Stops timers and retries without telling the server (the client goes away or bootstraps). */
  stop(): void {
    this.first(false);
    this.cancelTimer();
    this.generation++;
    this.state = 'stopped';
  }

  // ---- internals --------------------------------------------------------------------------

  private async register(): Promise<void> {
    const a = this.account;
    const gen = this.generation;
    const c = await this.deps.connect(a);
    if (gen !== this.generation) throw new Error('registration stopped');
    this.connection = c;
    const query = [
      `ep=${this.deps.endpointName}`,
      `lt=${a.lifetime}`,
      `lwm2m=${this.deps.lwm2mVersion}`,
      `b=${this.bindingParam(a.binding)}`,
      ...(this.deps.queueMode && this.deps.lwm2mVersion !== '1.0' ? ['Q'] : []),
      ...(this.deps.extraQuery ?? []),
    ];
    const payload = this.deps.payload();
    this.deps.beforeSend?.();
    const res = await failFast(
      c,
      c.endpoint.request({
        method: 'POST',
        peer: c.peer,
        path: ['rd'],
        query,
        contentFormat: ContentFormat.LINK_FORMAT,
        payload,
      }),
    );
    if (res.code !== CoapCode.CREATED || res.locationPath.length === 0)
      throw new RegistrationFailedError(`Register to ${a.uri} answered ${res.codeText} ${res.text()}`.trim(), res.code);
    if (gen !== this.generation) {
      // Stopped or retired while the Register was out: adopting it would leave a session that
      // sends Updates nobody tracks. A retired account's server is told at once.
      if (this.retired)
        void c.endpoint.request({ method: 'DELETE', peer: c.peer, path: res.locationPath }).catch(() => {});
      throw new Error('registration stopped');
    }
    this.location = res.locationPath;
    this.sent = { lifetime: a.lifetime, binding: a.binding, payload };
    this.state = 'registered';
    this.scheduleUpdate();
    this.deps.afterSuccess?.();
    this.deps.emit({ type: 'registered', shortServerId: a.shortServerId, location: `/${res.locationPath.join('/')}` });
  }

  private async doUpdate(forcePayload: boolean, onlyIfChanged: boolean): Promise<boolean> {
    const a = this.account;
    const location = this.location!;
    const sent = this.sent!;
    const payload = this.deps.payload();
    const query: string[] = [];
    if (a.lifetime !== sent.lifetime) query.push(`lt=${a.lifetime}`);
    if (a.binding !== sent.binding) query.push(`b=${this.bindingParam(a.binding)}`);
    const withPayload = forcePayload || payload !== sent.payload;
    // Registered after the change (a new account): the server already has these links.
    if (onlyIfChanged && !withPayload && query.length === 0) return true;
    this.cancelTimer();
    this.deps.beforeSend?.();
    const gen = this.generation;
    try {
      const c = this.connection!;
      const res = await c.endpoint.request({
        method: 'POST',
        peer: c.peer,
        path: location,
        query,
        ...(withPayload ? { payload, contentFormat: ContentFormat.LINK_FORMAT } : {}),
      });
      if (gen !== this.generation) return false;
      if (res.code !== CoapCode.CHANGED) throw new CoapError(res.code, `Update answered ${res.codeText}`);
      this.sent = { lifetime: a.lifetime, binding: a.binding, payload: withPayload ? payload : sent.payload };
      this.scheduleUpdate();
      this.deps.afterSuccess?.();
      this.deps.emit({ type: 'updated', shortServerId: a.shortServerId });
      return true;
    } catch {
      if (gen !== this.generation) return false;
      // The registration is unknown or unreachable: start over with a Register.
      this.state = 'registering';
      this.location = undefined;
      void this.start();
      return false;
    }
  }

  private bindingParam(binding: string): string {
    // LwM2M 1.0 carries queue mode in the binding ("UQ"); 1.1+ has the Q parameter.
    if (this.deps.lwm2mVersion === '1.0' && this.deps.queueMode && !binding.includes('Q')) return `${binding}Q`;
    return this.deps.lwm2mVersion === '1.0' ? binding : binding.replace('Q', '');
  }

  private scheduleUpdate(): void {
    this.cancelTimer();
    const delay = Math.max(1000, this.account.lifetime * 1000 * (this.deps.updateAt ?? 0.9));
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      void this.update();
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wakeSleeper;
    this.wakeSleeper = undefined;
    wake?.();
  }

  /** Waits unless the session was restarted or stopped meanwhile; false if it was. */
  private sleep(ms: number, gen: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.cancelTimer();
      this.wakeSleeper = () => resolve(false);
      this.timer = this.deps.clock.setTimeout(() => {
        this.timer = undefined;
        this.wakeSleeper = undefined;
        resolve(gen === this.generation);
      }, ms);
    });
  }
}

/**
 * The request's answer, or the transport's reason as soon as a frame to the server could not
 * be sent (e.g. the DTLS handshake failed: wrong PSK), instead of waiting for the CoAP timeout.
 */
function failFast(c: Connection, request: Promise<CoapResponse>): Promise<CoapResponse> {
  let off: (() => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    off = c.gate.onSendFailure((peer, error) => {
      if (peer.key === c.peer.key)
        reject(new Error(`cannot reach ${peer.address}:${peer.port}: ${error.message}`, { cause: error }));
    });
  });
  request.catch(() => {}); // settles later when the exchange times out
  return Promise.race([request, failed]).finally(() => off?.());
}
