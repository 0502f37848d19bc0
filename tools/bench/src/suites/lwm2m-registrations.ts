/**
 * The lwm2m-registrations suite's run (no vitest here, so it can also be bundled and run with
 * `node --cpu-prof`). Registrations per second through the full CoAP path of @lwm2m-ts/server (UDP socket, codec,
 * reliability layer, router, /rd handler, link-format parse, store, `registered` event, the
 * piggybacked 2.01): simulated devices in a separate process (lwm2m-registrations.generator.mjs,
 * pre-built frames from one template) keep SOCKETS × INFLIGHT Register requests in flight, each
 * a new endpoint with a 10-object link payload. Reported: registrations/s and, the figure that
 * holds on a shared machine, the server process's CPU µs per registration (process.cpuUsage over
 * the measured window; the generator's CPU is not in it).
 *
 * Settings (environment): LWM2M_REG_SECONDS, LWM2M_REG_SOCKETS, LWM2M_REG_INFLIGHT, LWM2M_REG_PORT,
 * LWM2M_REG_PROFILE=<file> (V8 CPU profile of the measured window).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLwM2mServer } from '@lwm2m-ts/server';
import { createUdpTransport } from '@lwm2m-ts/transport-udp';

const HOST = '127.0.0.1';
const PORT = Number(process.env.LWM2M_REG_PORT ?? 27401);
const SOCKETS = Number(process.env.LWM2M_REG_SOCKETS ?? 32);
const INFLIGHT = Number(process.env.LWM2M_REG_INFLIGHT ?? 8);
const SECONDS = Math.min(30, Number(process.env.LWM2M_REG_SECONDS ?? 5));
const WARMUP_SECONDS = 2;
export const REGISTRATION_SETTINGS = { sockets: SOCKETS, inflight: INFLIGHT, seconds: SECONDS };
export const REGISTRATION_TARGET = 20_000;
/** 20k registrations/s on 2 cores with the load generator on one: one core's second per 20k. */
export const REGISTRATION_CPU_BUDGET_US = 50;

export interface RegistrationRun {
  readonly completed: number;
  readonly lost: number;
  readonly perS: number;
  readonly cpuUsPerRegistration: number;
  /** The kernel's share of it (system time: mostly sendto/recvfrom on loopback). */
  readonly systemUsPerRegistration: number;
  readonly registeredEvents: number;
  /** The generator process's CPU per registration (it shares the machine with the server). */
  readonly generatorCpuUsPerRegistration: number;
}

interface RunReply {
  completed: number;
  lost: number;
  other: number;
  elapsedMs: number;
  cpuUs?: number;
}

export async function runRegistrationBench(): Promise<RegistrationRun> {
  const server = createLwM2mServer({ transport: await createUdpTransport({ host: HOST, port: PORT }) });
  let registeredEvents = 0;
  server.events.on('registered', () => {
    registeredEvents++;
  });
  const generator = fork(fileURLToPath(new URL('./lwm2m-registrations.generator.mjs', import.meta.url)), [
    HOST,
    String(PORT),
    String(SOCKETS),
    String(INFLIGHT),
  ]);
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('generator did not answer')), SECONDS * 1000 + 30_000);
      generator.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
    });
  try {
    await next();
    const warm = next<RunReply>();
    generator.send({ run: WARMUP_SECONDS });
    await warm;
    await new Promise((r) => setTimeout(r, 300));
    const prof = process.env.LWM2M_REG_PROFILE;
    const { Session } = await import('node:inspector/promises');
    const session = prof ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    registeredEvents = 0;
    const done = next<RunReply>();
    const cpu0 = process.cpuUsage();
    generator.send({ run: SECONDS });
    const r = await done;
    const cpu = process.cpuUsage(cpu0);
    if (session && prof) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(prof, JSON.stringify(profile));
    }
    if (r.other > 0) throw new Error(`${r.other} registrations were not answered 2.01`);
    return {
      completed: r.completed,
      lost: r.lost,
      perS: Math.round(r.completed / (r.elapsedMs / 1000)),
      cpuUsPerRegistration: (cpu.user + cpu.system) / Math.max(1, r.completed),
      systemUsPerRegistration: cpu.system / Math.max(1, r.completed),
      registeredEvents,
      generatorCpuUsPerRegistration: (r.cpuUs ?? 0) / Math.max(1, r.completed),
    };
  } finally {
    generator.send('exit');
    await server.close();
  }
}
