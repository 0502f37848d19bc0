/**
 * Registrations per second through the full CoAP path of @lwm2m-ts/server, and the server's CPU
 * µs per registration (see lwm2m-registrations.ts for the setup).
 *
 *   pnpm vitest bench --run tools/bench/src/suites/lwm2m-registrations.bench.ts
 *   LWM2M_REG_SECONDS=5 LWM2M_REG_SOCKETS=32 LWM2M_REG_INFLIGHT=8 LWM2M_REG_PORT=27401 ...
 *   LWM2M_REG_PROFILE=reg.cpuprofile ...   (V8 CPU profile of the measured window)
 */
import { bench, describe } from 'vitest';
import {
  REGISTRATION_CPU_BUDGET_US as CPU_BUDGET_US,
  REGISTRATION_SETTINGS,
  runRegistrationBench,
  REGISTRATION_TARGET as TARGET,
} from './lwm2m-registrations';

const { sockets: SOCKETS, inflight: INFLIGHT, seconds: SECONDS } = REGISTRATION_SETTINGS;

describe('lwm2m registrations', () => {
  bench(
    `${SOCKETS} sockets × ${INFLIGHT} Register in flight for ${SECONDS} s`,
    async () => {
      const r = await runRegistrationBench();
      console.log(
        `lwm2m-registrations: ${r.perS.toLocaleString('en')} registrations/s through CoAP/UDP ` +
          `(${r.completed.toLocaleString('en')} answered 2.01, ${r.lost} lost), ` +
          `server CPU ${r.cpuUsPerRegistration.toFixed(1)} µs/registration ` +
          `(budget for ${TARGET.toLocaleString('en')}/s on one core: ${CPU_BUDGET_US} µs; ` +
          `the generator took ${r.generatorCpuUsPerRegistration.toFixed(1)} µs per registration): ` +
          `${r.cpuUsPerRegistration <= CPU_BUDGET_US ? 'met' : 'NOT met'} by CPU, ` +
          `${r.perS >= TARGET ? 'met' : 'NOT met'} by wall clock`,
      );
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
