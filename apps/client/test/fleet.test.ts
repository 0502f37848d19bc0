/** A fleet of 50 simulated devices registers with a real server on loopback and de-registers cleanly. */
import { createLwM2mServer } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';
import { describe, expect, it } from 'vitest';
import { seededRandom, startSimulator } from '../src/index';

describe('a fleet', () => {
  it('50 devices with distinct names and sockets register, then all de-register on close', async () => {
    const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const server = createLwM2mServer({ transport });
    const registered = new Set<string>();
    const deregistered = new Set<string>();
    server.events.on('registered', (e) => registered.add(e.registration.endpoint));
    server.events.on('deregistered', (e) => deregistered.add(e.registration.endpoint));
    const progress: number[] = [];
    try {
      const started = Date.now();
      const sim = await startSimulator({
        server: `coap://127.0.0.1:${transport.localAddress()!.port}`,
        endpoint: 'fleet',
        count: 50,
        ramp: 500,
        rate: 2,
        objects: [3, 3303],
        random: seededRandom(1),
        onProgress: (s) => progress.push(s.registered),
      });
      // 50 devices at 500/s: the ramp alone takes ~0.1 s.
      expect(Date.now() - started).toBeLessThan(10_000);
      const stats = sim.stats();
      expect(stats).toMatchObject({ total: 50, started: 50, registered: 50, failed: 0, registering: 0 });
      expect(progress.at(-1)).toBe(50);
      const names = sim.devices.map((d) => d.name);
      expect(names[0]).toBe('fleet-0001');
      expect(names[49]).toBe('fleet-0050');
      const ports = new Set(sim.devices.map((d) => d.client!.endpoint.transport.localAddress()!.port));
      expect(ports.size).toBe(50);
      // The server's events run after its response went out; wait for the last ones.
      const until = Date.now() + 3_000;
      while (registered.size < 50 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect([...registered].sort()).toEqual(names);
      expect((await server.listRegistrations()).length).toBe(50);

      await sim.close();
      expect(sim.devices.every((d) => d.state === 'stopped' && d.client === undefined)).toBe(true);
      const deadline = Date.now() + 3_000;
      while (deregistered.size < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(deregistered.size).toBe(50);
      expect(await server.listRegistrations()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('keeps to the ramp and can be closed in the middle of it', async () => {
    const transport = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    const server = createLwM2mServer({ transport });
    try {
      const { createSimulator } = await import('../src/index');
      const startedAt: number[] = [];
      const sim = createSimulator({
        server: `coap://127.0.0.1:${transport.localAddress()!.port}`,
        endpoint: 'ramp',
        count: 40,
        ramp: 20,
        rate: 0,
        onProgress: (s) => {
          if (s.started > startedAt.length) startedAt.push(Date.now());
        },
      });
      const running = sim.start();
      while (startedAt.length < 4) await new Promise((r) => setTimeout(r, 10));
      // Four devices at 20/s: the fourth starts ~150 ms after the first.
      expect(startedAt[3]! - startedAt[0]!).toBeGreaterThanOrEqual(120);
      await sim.close();
      await running;
      const started = sim.stats().started;
      expect(started).toBeLessThan(40);
      expect(sim.devices.every((d) => d.state === 'stopped' && d.client === undefined)).toBe(true);
      const until = Date.now() + 3_000;
      while ((await server.listRegistrations()).length > 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(await server.listRegistrations()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a server that does not answer leaves devices registering, and close() still ends promptly', async () => {
    // A bound socket that never answers: the devices keep retrying.
    const silent = await createUdpTransport({ host: '127.0.0.1', port: 0 });
    silent.onReceive(() => {});
    try {
      const { createSimulator } = await import('../src/index');
      const sim = createSimulator({
        server: `coap://127.0.0.1:${silent.localAddress()!.port}`,
        endpoint: 'lost',
        count: 5,
        ramp: 1000,
        rate: 0,
      });
      const running = sim.start();
      const until = Date.now() + 2_000;
      while (sim.stats().started < 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(sim.stats()).toMatchObject({ started: 5, registered: 0, registering: 5 });
      const t0 = Date.now();
      await sim.close();
      await running;
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(sim.devices.every((d) => d.state === 'stopped')).toBe(true);
    } finally {
      await silent.close();
    }
  });
});
