/**
 * A started LwM2M server and a registered client over one transport setup: what every
 * transport factory returns and the behaviour suite consumes.
 */
import type { CoapLwM2mServer, Registration } from '@lwm2m-ts/server';
import { createDevice, type Device, type DeviceOptions } from './device';

export interface LwM2mPair {
  readonly server: CoapLwM2mServer;
  readonly device: Device;
  /** The registration as the server stored it when the `registered` event fired. */
  readonly registration: Registration;
  /** The identity kind the server must see on the registration (undefined: an unsecured transport). */
  readonly identityKind: 'psk' | 'rpk' | 'x509' | 'oscore' | undefined;
  /** Stops the client (without de-registering when it still is), closes the server and any helper. */
  close(): Promise<void>;
}

export type MakePair = () => Promise<LwM2mPair>;

/** Rejects with a message naming `what` when `promise` does not settle within `ms` (real time). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every 10 ms, at most `ms` long; rejects naming `what` if it never holds. */
export async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`${what}: not true after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Creates the device on `options.transport`, starts it and resolves once the server reported
 * the registration. `extraClose` runs last (proxies, helper sockets).
 */
export async function connect(
  server: CoapLwM2mServer,
  options: DeviceOptions,
  identityKind: LwM2mPair['identityKind'] = undefined,
  extraClose: () => Promise<void> | void = () => {},
  timeoutMs = 15_000,
): Promise<LwM2mPair> {
  const device = createDevice(options);
  const registered = new Promise<Registration>((resolve) => {
    const off = server.events.on('registered', ({ registration }) => {
      if (registration.endpoint !== options.endpointName) return;
      off();
      resolve(registration);
    });
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await device.client.stop({ deregister: false }).catch(() => {});
    await server.close().catch(() => {});
    await extraClose();
  };
  try {
    await within(device.client.start(), timeoutMs, `${options.endpointName} start`);
    const registration = await within(registered, timeoutMs, `${options.endpointName} registered event`);
    return { server, device, registration, identityKind, close };
  } catch (error) {
    await close();
    throw error;
  }
}
