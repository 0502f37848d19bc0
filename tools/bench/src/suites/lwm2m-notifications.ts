/**
 * The lwm2m-notifications suite's run (no vitest here, so it can also be bundled and run alone).
 * Notifications per second received and decoded by @lwm2m-ts/server: `DEVICES` simulated
 * devices (lwm2m-notifications.generator.mjs, a separate process, one UDP socket each on
 * loopback) register, the server observes /3303/0/5700 on each (text/plain), and the devices
 * send NON notifications with a new value each time at OFFERED notifications/s in total. The
 * figure is what the server's `notification` event delivered (decoded LwM2M nodes) per second.
 *
 *   pnpm vitest bench --run tools/bench/src/suites/lwm2m-notifications.bench.ts
 *   LWM2M_NOTIFY_DEVICES=200 LWM2M_NOTIFY_RATE=80000 LWM2M_NOTIFY_SECONDS=10 pnpm vitest bench --run ...
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ContentFormat } from '@lwm2m-ts/codec';
import { createLwM2mServer } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';

const HOST = '127.0.0.1';
const PORT = Number(process.env.LWM2M_NOTIFY_PORT ?? 26550);
const DEVICES = Number(process.env.LWM2M_NOTIFY_DEVICES ?? 100);
const OFFERED = Number(process.env.LWM2M_NOTIFY_RATE ?? 80_000);
const SECONDS = Number(process.env.LWM2M_NOTIFY_SECONDS ?? 10);
export const NOTIFICATION_SETTINGS = { devices: DEVICES, offered: OFFERED, seconds: SECONDS };
export const NOTIFICATION_TARGET = 50_000;

export interface NotificationRun {
  readonly devices: number;
  readonly offeredPerS: number;
  readonly sent: number;
  /** The generator process's CPU per notification sent (it shares the machine with the server). */
  readonly generatorCpuUsPerNotification: number;
  readonly received: number;
  readonly decodedPerS: number;
  readonly badValues: number;
  /** Server process CPU (user + system) over the measured window per notification delivered. */
  readonly cpuUsPerNotification: number;
  /** The kernel's share of it (system time). */
  readonly systemUsPerNotification: number;
}

export async function runNotificationBench(): Promise<NotificationRun> {
  const server = createLwM2mServer({ transport: await createUdpTransport({ host: HOST, port: PORT }) });
  let received = 0;
  let badValues = 0;
  server.events.on('notification', (n) => {
    const v = (n.content as { value?: { value?: unknown } } | undefined)?.value?.value;
    if (typeof v === 'number' && v >= 20 && v <= 80.25) received++;
    else badValues++;
  });
  const observing: Promise<unknown>[] = [];
  server.events.on('registered', ({ registration }) => {
    observing.push(server.observe(registration.endpoint, '/3303/0/5700', { format: ContentFormat.TEXT_PLAIN }));
  });
  const generator = fork(fileURLToPath(new URL('./lwm2m-notifications.generator.mjs', import.meta.url)), [
    HOST,
    String(PORT),
    String(DEVICES),
    String(OFFERED),
    String(SECONDS),
  ]);
  try {
    const messages: Record<string, number>[] = [];
    const next = () =>
      new Promise<Record<string, number>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('generator did not answer')), SECONDS * 1000 + 30_000);
        generator.once('message', (m) => {
          clearTimeout(timer);
          resolve(m as Record<string, number>);
        });
      });
    messages.push(await next()); // every device observed
    await Promise.all(observing);
    received = 0;
    badValues = 0;
    const prof = process.env.LWM2M_NOTIFY_PROFILE;
    const { Session } = await import('node:inspector/promises');
    const session = prof ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const done = next();
    const cpu0 = process.cpuUsage();
    const startedAt = performance.now();
    generator.send('go');
    const result = await done;
    // Let what is still in the socket buffers arrive, and count it against the time it took.
    await new Promise((r) => setTimeout(r, 100));
    const elapsedS = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (session && prof) {
      const { profile } = await session.post('Profiler.stop');
      (await import('node:fs')).writeFileSync(prof, JSON.stringify(profile));
    }
    return {
      devices: DEVICES,
      offeredPerS: OFFERED,
      sent: result.sent ?? 0,
      generatorCpuUsPerNotification: (result.cpuUs ?? 0) / Math.max(1, result.sent ?? 0),
      received,
      decodedPerS: Math.round(received / elapsedS),
      badValues,
      cpuUsPerNotification: (cpu.user + cpu.system) / Math.max(1, received),
      systemUsPerNotification: cpu.system / Math.max(1, received),
    };
  } finally {
    if (generator.pid && generator.exitCode === null) process.kill(generator.pid, 'SIGTERM');
    await server.close();
  }
}
