/**
 * One device's whole life against @lwm2m-ts/server over MemoryNetwork, on vitest fake timers:
 * Bootstrap (createBootstrapServer) -> Register (createLwM2mServer) -> Write-Attributes
 * (pmin/pmax/gt/lt) and Observe /3303/0/5700 -> value changes give exactly the notifications
 * the attributes allow -> Update -> queue mode: sleep, two queued requests, wake, delivered in
 * order -> De-register.
 */

import { deviceInstance, ipsoSensor, LwM2mClient, securityInstance } from '@lwm2m-ts/client';
import { MemoryNetwork } from '@lwm2m-ts/coap/testing';
import { LwM2mValue, Resource } from '@lwm2m-ts/objects';
import { createBootstrapServer, createLwM2mServer, type Notification } from '@lwm2m-ts/server';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const EP = 'life-dev';
const AWAKE_MS = 60_000;

/**
 * Lets MemoryNetwork deliveries and the promise chains behind them run. 1 ms per round: the
 * server dispatches its events on a 0 ms timer, which fake timers run 1 ms later.
 */
async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await vi.advanceTimersByTimeAsync(1);
}
async function call<T>(p: Promise<T>): Promise<T> {
  await settle();
  return p;
}
const numberOf = (n: Notification): number => {
  const v = (n.content as { value?: { value?: unknown } } | undefined)?.value?.value;
  return typeof v === 'bigint' ? Number(v) : (v as number);
};

it('bootstrap, register, observe with attributes, update, queue mode, de-register', async () => {
  const network = new MemoryNetwork();
  const server = createLwM2mServer({ transport: network.transport('server', { port: 5683 }), awakeTimeMs: AWAKE_MS });
  const bs = createBootstrapServer({ transport: network.transport('bs', { port: 5683 }) });
  await bs.configs.put(EP, {
    // Delete only the account objects: a Bootstrap-Delete of "/" would also delete /3303/0.
    toDelete: ['/0', '/1'],
    security: {
      0: { uri: 'coap://bs:5683', bootstrapServer: true, securityMode: 3 },
      1: { uri: 'coap://server:5683', bootstrapServer: false, securityMode: 3, shortServerId: 1 },
    },
    servers: { 0: { shortServerId: 1, lifetime: 300, notificationStoring: true, binding: 'U' } },
  });
  const events: string[] = [];
  bs.events.on('sessionFinished', ({ endpoint }) => events.push(`bootstrapped ${endpoint}`));
  for (const name of ['registered', 'updated', 'deregistered'] as const)
    server.events.on(name, ({ registration }) => events.push(`${name} ${registration.endpoint}`));
  const sensor = ipsoSensor({ value: 20, units: 'Cel' });
  const client = new LwM2mClient({
    endpointName: EP,
    queueMode: { awakeTimeMs: AWAKE_MS },
    transport: network.transport('dev', { port: 40001 }),
    objects: [
      { id: 0, instances: { 0: securityInstance({ uri: 'coap://bs:5683', bootstrap: true }) } },
      { id: 1 },
      { id: 3, instances: { 0: deviceInstance({ manufacturer: 'Lifecycle Ltd.' }) } },
      { id: 3303, instances: { 0: sensor } },
    ],
  });

  // ---- Bootstrap, then Register with the server the bootstrap server configured.
  await call(client.start());
  for (let i = 0; i < 20 && !events.includes(`registered ${EP}`); i++) await settle();
  expect(events).toEqual([`bootstrapped ${EP}`, `registered ${EP}`]);
  const registration = (await server.getRegistration(EP))!;
  expect(registration).toMatchObject({ lifetime: 300, queueMode: true, binding: 'U' });
  expect(registration.objectLinks).toContain('</3303/0>');
  expect(client.servers()).toMatchObject([{ shortServerId: 1, uri: 'coap://server:5683', registered: true }]);

  // ---- Write-Attributes, then Observe.
  const attrs = await call(server.writeAttributes(EP, '/3303/0/5700', { pmin: 2, pmax: 10, gt: 30, lt: 10 }));
  expect(attrs.code).toBe('2.04');
  const seen: { value: number; at: number }[] = [];
  const t0 = Date.now();
  server.events.on('notification', (n) => {
    if (n.observation.endpoint === EP)
      seen.push({ value: numberOf(n), at: Math.round((n.receivedAt - t0) / 100) / 10 });
  });
  const observation = await call(server.observe(EP, '/3303/0/5700'));
  expect(observation.response.code).toBe('2.05');
  expect((observation.response.content as { value?: { value?: unknown } }).value?.value).toBe(20);

  /** Sets the value at second `at` after the Observe (time only moves forward). */
  const at = async (s: number, value?: number) => {
    await vi.advanceTimersByTimeAsync(t0 + s * 1000 - Date.now());
    if (value !== undefined) sensor.update(value);
    await settle();
  };
  await at(0.5, 25); // no threshold crossed: nothing
  await at(1, 35); // crosses gt=30 upwards, but pmin=2 holds it until t=2
  await at(1.9);
  expect(seen).toEqual([]);
  await at(2.1);
  expect(seen).toEqual([{ value: 35, at: 2 }]);
  await at(5, 31); // above gt, no crossing: nothing
  await at(6, 5); // crosses gt downwards and lt=10 downwards, pmin elapsed: at once
  await at(7, 8); // still below lt: nothing
  await at(15.9);
  expect(seen.map((s) => s.value)).toEqual([35, 5]);
  await at(16.1); // pmax=10 after the last notification (t=6): the current value
  await at(17, 12); // crosses lt upwards, pmin holds it until t=18
  await at(25);
  expect(seen).toEqual([
    { value: 35, at: 2 },
    { value: 5, at: 6 },
    { value: 8, at: 16 },
    { value: 12, at: 18 },
  ]);
  // Stop observing (the client is told, so pmax stops waking it).
  await call(observation.cancel('active'));
  expect(client.observationsList()).toEqual([]);

  // ---- Update.
  const lastUpdate = (await server.getRegistration(EP))!.lastUpdate;
  await call(client.triggerUpdate());
  expect(events.at(-1)).toBe(`updated ${EP}`);
  expect((await server.getRegistration(EP))!.lastUpdate).toBeGreaterThan(lastUpdate);

  // ---- Queue mode: both sides see the client asleep after the awake time.
  await vi.advanceTimersByTimeAsync(AWAKE_MS + 1);
  expect(client.sleeping).toBe(true);
  expect(server.isSleeping((await server.getRegistration(EP))!)).toBe(true);
  const delivered: string[] = [];
  server.events.on('queuedResponse', ({ queued, response }) => {
    const r = queued.request as { kind: string; path?: { toString(): string } };
    delivered.push(`${r.kind} ${r.path} ${response.code}`);
  });
  const first = server.read(EP, '/3/0/0').catch((e: Error) => e.name);
  const second = server
    .write(EP, '/3/0/14', Resource.single(14, LwM2mValue.string('+02:00')))
    .catch((e: Error) => e.name);
  expect([await call(first), await call(second)]).toEqual(['ClientSleepingError', 'ClientSleepingError']);
  expect((await server.queue.list(EP)).length).toBe(2);
  await settle();
  expect(delivered).toEqual([]);
  await call(client.wakeAndUpdate());
  for (let i = 0; i < 10 && delivered.length < 2; i++) await settle();
  expect(delivered).toEqual(['read /3/0/0 2.05', 'write /3/0/14 2.04']);
  expect(await server.queue.list(EP)).toEqual([]);
  expect((await client.read('/3/0/14')) as unknown).toMatchObject({ value: { value: '+02:00' } });

  // ---- De-register.
  await call(client.stop());
  expect(events.at(-1)).toBe(`deregistered ${EP}`);
  expect(await server.listRegistrations()).toEqual([]);
  await server.close();
  await bs.close();
});
