/** One simulated device against a real @lwm2m-ts/server over UDP on loopback. */
import { LwM2mValue, Resource } from '@lwm2m-ts/objects';
import { createLwM2mServer, type Notification } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { afterEach, describe, expect, it } from 'vitest';
import { getValue, runLine, type Simulator, seededRandom, startSimulator } from '../src/index';

type Server = ReturnType<typeof createLwM2mServer>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serverOnLoopback(): Promise<{ server: Server; uri: string }> {
  const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
  const server = createLwM2mServer({ transport });
  cleanups.push(() => server.close());
  return { server, uri: `coap://127.0.0.1:${transport.localAddress()!.port}` };
}

const nextEvent = <T>(server: Server, name: 'registered' | 'deregistered', endpoint: string) =>
  new Promise<T>((resolve) => {
    const off = server.events.on(name, (e: { registration: { endpoint: string } }) => {
      if (e.registration.endpoint !== endpoint) return;
      off();
      resolve(e as T);
    });
  });

const plainOf = (node: unknown): unknown => (node as { value?: LwM2mValue } | undefined)?.value?.value;

describe('one simulated device', () => {
  it('registers; the server reads, writes, executes reboot and observes the temperature', async () => {
    const { server, uri } = await serverOnLoopback();
    const registered = nextEvent(server, 'registered', 'sim-e2e');
    const sim: Simulator = await startSimulator({
      server: uri,
      endpoint: 'sim-e2e',
      lifetime: 60,
      rate: 20,
      rebootDelayMs: 50,
      random: seededRandom(7),
    });
    cleanups.push(() => sim.close());
    await registered;
    const device = sim.devices[0]!;
    expect(device.state).toBe('registered');
    const registration = await server.getRegistration('sim-e2e');
    expect(registration).toMatchObject({ lifetime: 60, lwm2mVersion: '1.1' });
    for (const link of [
      '</3/0>',
      '</3303/0>',
      '</3304/0>',
      '</3311/0>',
      '</3308/0>',
      '</3347/0>',
      '</3340/0>',
      '</6/0>',
      '</4/0>',
    ])
      expect(registration?.objectLinks).toContain(link);

    const manufacturer = await server.read('sim-e2e', '/3/0/0');
    expect(manufacturer.code).toBe('2.05');
    expect(plainOf(manufacturer.content)).toBe('lwm2m-ts');

    const temperature = await server.read('sim-e2e', '/3303/0/5700');
    expect(temperature.code).toBe('2.05');
    const celsius = plainOf(temperature.content) as number;
    expect(celsius).toBeGreaterThan(10);
    expect(celsius).toBeLessThan(35);

    const write = await server.write('sim-e2e', '/3311/0/5850', Resource.single(5850, LwM2mValue.boolean(true)));
    expect(write.code).toBe('2.04');
    expect(getValue(device, '/3311/0/5850')).toBe('/3311/0/5850 (On/Off) = true');

    // Reboot: the device de-registers, "boots" and registers again.
    const gone = nextEvent(server, 'deregistered', 'sim-e2e');
    const back = nextEvent(server, 'registered', 'sim-e2e');
    expect((await server.execute('sim-e2e', '/3/0/4')).code).toBe('2.04');
    await gone;
    await back;
    await device.whenSettled();
    expect(device.state).toBe('registered');

    // Observe the temperature: the random walk at 20 changes/s brings notifications.
    const notifications: Notification[] = [];
    server.events.on('notification', (n) => {
      if (n.observation.paths[0] === '/3303/0/5700') notifications.push(n);
    });
    const observation = await server.observe('sim-e2e', '/3303/0/5700');
    expect(observation).toBeDefined();
    const deadline = Date.now() + 5_000;
    while (notifications.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(notifications.length).toBeGreaterThanOrEqual(3);
    const values = notifications.map((n) => plainOf(n.content));
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(sim.stats().notifications).toBeGreaterThanOrEqual(3);

    // A value set from the console reaches the observer.
    const set = await runLine('set /3303/0/5700 42.5', { simulator: sim, current: device });
    expect(set.error).toBeUndefined();
    const until = Date.now() + 3_000;
    while (!notifications.some((n) => plainOf(n.content) === 42.5) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(notifications.map((n) => plainOf(n.content))).toContain(42.5);

    const deregistered = nextEvent(server, 'deregistered', 'sim-e2e');
    await sim.close();
    await deregistered;
    expect(await server.getRegistration('sim-e2e')).toBeUndefined();
  });

  it('factory reset (Execute /3/0/5) is logged, re-registers and restores the values', async () => {
    const { server, uri } = await serverOnLoopback();
    const notices: string[] = [];
    const sim = await startSimulator({
      server: uri,
      endpoint: 'sim-reset',
      rate: 0,
      rebootDelayMs: 20,
      random: seededRandom(11),
      log: { info: () => {}, warn: () => {}, notice: (m) => notices.push(m) },
    });
    cleanups.push(() => sim.close());
    const device = sim.devices[0]!;
    const initial = getValue(device, '/3308/0/5900');
    const write = await server.write('sim-reset', '/3308/0/5900', Resource.single(5900, LwM2mValue.float(28)));
    expect(write.code).toBe('2.04');
    expect(getValue(device, '/3308/0/5900')).toBe('/3308/0/5900 (Set Point Value) = 28');
    const back = nextEvent(server, 'registered', 'sim-reset');
    expect((await server.execute('sim-reset', '/3/0/5')).code).toBe('2.04');
    await back;
    await device.whenSettled();
    expect(device.state).toBe('registered');
    expect(getValue(device, '/3308/0/5900')).not.toBe('/3308/0/5900 (Set Point Value) = 28');
    expect(notices).toEqual([
      'sim-reset: factory reset by the server (Execute /3/0/5): de-registering, back in 20 ms',
      'sim-reset: booted with factory settings, registering again',
    ]);
    // The new instances answer the server.
    const read = await server.read('sim-reset', '/3308/0/5900');
    expect(`/3308/0/5900 (Set Point Value) = ${plainOf(read.content)}`).toBe(getValue(device, '/3308/0/5900'));
    expect(initial).toMatch(/^\/3308\/0\/5900 \(Set Point Value\) = 2[01]/);
  });
});
