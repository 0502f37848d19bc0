/** The timing both load generators share: ramp up, warm up, then one measured window. */
import { performance } from 'node:perf_hooks';
import type { LoadResult } from './con-get-load';
import { LatencyHistogram } from './histogram';

/** Counters a load run's senders add to. */
export interface LoadStats {
  completed: number;
  errors: number;
  timeouts: number;
  readonly histogram: LatencyHistogram;
}

export const newLoadStats = (): LoadStats => ({
  completed: 0,
  errors: 0,
  timeouts: 0,
  histogram: new LatencyHistogram(),
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts every sender (ramping up over at most half the warm-up: each adds one request per step),
 * warms up, clears the counters, then measures for `durationMs`. `onPhase('measure')` fires when
 * the measured window opens and `onPhase('done')` when it closes, so the caller can sample the
 * server's CPU exactly around it. The senders are left running: the caller stops them.
 */
export async function warmUpAndMeasure(
  config: { readonly warmupMs: number; readonly durationMs: number; readonly inflight: number },
  senders: readonly { start(stepMs: number): void }[],
  stats: LoadStats,
  onPhase: (phase: 'measure' | 'done') => void,
): Promise<LoadResult> {
  const stepMs = Math.min(50, config.warmupMs / 2 / Math.max(1, config.inflight));
  for (const s of senders) s.start(stepMs);
  await sleep(config.warmupMs);
  stats.completed = 0;
  stats.errors = 0;
  stats.timeouts = 0;
  stats.histogram.reset();
  onPhase('measure');
  const start = performance.now();
  await sleep(config.durationMs);
  const elapsedMs = performance.now() - start;
  const result: LoadResult = {
    completed: stats.completed,
    errors: stats.errors,
    timeouts: stats.timeouts,
    elapsedMs,
    histogram: stats.histogram.toSparse(),
  };
  onPhase('done');
  return result;
}
