/**
 * CPU µs per Register and per notification in @lwm2m-ts/server's JavaScript path, without
 * sockets (see lwm2m-server-cost.ts). Best of LWM2M_COST_ROUNDS (default 3) runs each.
 *
 *   pnpm vitest bench --run tools/bench/src/suites/lwm2m-server-cost.bench.ts
 */
import { bench, describe } from 'vitest';
import { type CostRun, notificationCost, registrationCost } from './lwm2m-server-cost';

const ROUNDS = Math.max(1, Math.min(10, Number(process.env.LWM2M_COST_ROUNDS ?? 3)));

async function best(run: () => Promise<CostRun>): Promise<CostRun> {
  let best: CostRun | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const r = await run();
    if (r.completed !== r.expected) throw new Error(`${r.completed} of ${r.expected} operations completed`);
    if (!best || r.cpuUs < best.cpuUs) best = r;
  }
  return best!;
}

describe('lwm2m server cost without sockets', () => {
  bench(
    'Register and notification, CPU µs each',
    async () => {
      const reg = await best(() => registrationCost());
      const notif = await best(() => notificationCost());
      console.log(
        `lwm2m-server-cost: ${reg.cpuUs.toFixed(1)} µs per Register (${reg.completed.toLocaleString('en')} from new peers), ` +
          `${notif.cpuUs.toFixed(1)} µs per notification (${notif.completed.toLocaleString('en')} from 100 devices), ` +
          `best of ${ROUNDS}; JavaScript only, no sockets`,
      );
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
