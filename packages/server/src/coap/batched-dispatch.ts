/**
 * Defers event listeners until after the current response went out, like `setTimeout(emit, 0)`
 * per event, but with one clock timer per batch: under a burst of registrations a timer (and its
 * closure bookkeeping) per event was a measurable share of the server's CPU. Events keep their
 * order; one dispatched by a listener during a flush goes into the next batch.
 */
import type { Clock } from '../core/clock';

export function batchedDispatch(clock: Clock): (emit: () => void) => void {
  let queue: (() => void)[] = [];
  let armed = false;
  const flush = (): void => {
    armed = false;
    const batch = queue;
    queue = [];
    let failure: { error: unknown } | undefined;
    for (const emit of batch) {
      try {
        emit();
      } catch (error) {
        // The others still run; the first failure surfaces as a timer callback's would have.
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
  return (emit) => {
    queue.push(emit);
    if (!armed) {
      armed = true;
      clock.setTimeout(flush, 0);
    }
  };
}
