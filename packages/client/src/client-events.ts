/** Events of an LwM2mClient, and a small typed emitter for them. */

export interface ClientEvents {
  registered: { shortServerId: number; location: string };
  updated: { shortServerId: number };
  deregistered: { shortServerId: number };
  registrationRetry: { shortServerId: number; attempt: number; delayMs: number; error: Error };
  registrationFailed: { shortServerId: number; error: Error };
  bootstrapStarted: { initiatedBy: 'client' | 'server' };
  bootstrapFinished: Record<string, never>;
  bootstrapFailed: { error: Error };
  sleeping: Record<string, never>;
  awake: Record<string, never>;
  /** An unexpected error (nothing awaits it), e.g. an enabler that crashed during a notification. */
  error: { error: unknown; where: string };
}

export type ClientEventName = keyof ClientEvents;
type Listener<K extends ClientEventName> = (event: ClientEvents[K]) => void;

export class ClientEventEmitter {
  private readonly listeners = new Map<ClientEventName, Set<(e: never) => void>>();

  on<K extends ClientEventName>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (e: never) => void);
    return () => set.delete(listener as (e: never) => void);
  }

  /** Resolves with the next event of that name. */
  once<K extends ClientEventName>(name: K): Promise<ClientEvents[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (e) => {
        off();
        resolve(e);
      });
    });
  }

  emit<K extends ClientEventName>(name: K, event: ClientEvents[K]): void {
    for (const l of [...(this.listeners.get(name) ?? [])]) {
      try {
        (l as Listener<K>)(event);
      } catch {
        // a listener's failure is not the client's
      }
    }
  }
}
