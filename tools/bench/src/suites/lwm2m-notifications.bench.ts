/**
 * Notifications per second received and decoded by @lwm2m-ts/server, and the server's CPU µs per
 * notification (see lwm2m-notifications.ts for the setup).
 *
 *   pnpm vitest bench --run tools/bench/src/suites/lwm2m-notifications.bench.ts
 *   LWM2M_NOTIFY_DEVICES=200 LWM2M_NOTIFY_RATE=80000 LWM2M_NOTIFY_SECONDS=10 LWM2M_NOTIFY_PORT=27402 pnpm vitest bench --run ...
 *   LWM2M_NOTIFY_PROFILE=notify.cpuprofile ...   (V8 CPU profile of the measured window)
 */
import { bench, describe } from 'vitest';
import { NOTIFICATION_SETTINGS, runNotificationBench, NOTIFICATION_TARGET as TARGET } from './lwm2m-notifications';

const { devices: DEVICES, offered: OFFERED, seconds: SECONDS } = NOTIFICATION_SETTINGS;

describe('lwm2m notifications', () => {
  bench(
    `${DEVICES} devices, ${OFFERED} notifications/s offered for ${SECONDS} s`,
    async () => {
      const r = await runNotificationBench();
      const lost = r.sent - r.received;
      console.log(
        `lwm2m-notifications: ${r.decodedPerS.toLocaleString('en')} notifications/s received and decoded ` +
          `(${r.devices} devices, ${r.sent.toLocaleString('en')} sent, ${r.received.toLocaleString('en')} decoded, ` +
          `${lost.toLocaleString('en')} lost, ${r.badValues} wrong values), ` +
          `server CPU ${r.cpuUsPerNotification.toFixed(1)} µs/notification (budget for 50k/s on one core: 20 µs; ` +
          `the generator took ${r.generatorCpuUsPerNotification.toFixed(1)} µs per notification sent); target >= ${TARGET.toLocaleString('en')}/s: ` +
          `${r.decodedPerS >= TARGET ? 'met' : 'NOT met'}`,
      );
      if (r.badValues > 0) throw new Error(`${r.badValues} notifications decoded to a wrong value`);
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
