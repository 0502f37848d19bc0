/**
 * Fleet progress: a cli-progress bar on a terminal, a plain line every few seconds otherwise
 * (CI logs, files), and the one-line summary printed at the end.
 */
import cliProgress from 'cli-progress';
import type { SimulatorStats } from './simulator';

export interface ProgressReporter {
  update(stats: SimulatorStats): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly total: number;
  /** Where the bar goes (stderr). */
  readonly stream: NodeJS.WritableStream;
  /** True when `stream` is a terminal: draw a bar; else print `line`s every `intervalMs`. */
  readonly tty: boolean;
  /** Plain line output (non-TTY). */
  readonly line: (text: string) => void;
  readonly stats: () => SimulatorStats;
  readonly intervalMs?: number;
}

/** Notifications per second between two snapshots (the whole run for the first one). */
export class RateMeter {
  private last: { at: number; count: number } = { at: 0, count: 0 };

  rate(stats: SimulatorStats): number {
    const dt = stats.elapsedMs - this.last.at;
    const dn = stats.notifications - this.last.count;
    if (dt < 250) return this.previous;
    this.last = { at: stats.elapsedMs, count: stats.notifications };
    this.previous = (dn * 1000) / dt;
    return this.previous;
  }

  private previous = 0;
}

export function progressLine(s: SimulatorStats, notificationsPerSecond: number): string {
  return (
    `progress: ${s.started}/${s.total} started, ${s.registered} registered, ${s.registering} pending, ` +
    `${s.failed} failed, ${notificationsPerSecond.toFixed(1)} notifications/s`
  );
}

/** The line printed when the run ends (and once the ramp settled). */
export function summaryLine(s: SimulatorStats): string {
  const seconds = Math.max(s.elapsedMs, 1) / 1000;
  return (
    `summary: ${s.total} devices, ${s.registered} registered, ${s.failed} failed, ${s.registering} pending; ` +
    `registration mean ${s.meanRegistrationMs} ms, max ${s.maxRegistrationMs} ms; ` +
    `${(s.notifications / seconds).toFixed(1)} notifications/s (${s.notifications} in ${seconds.toFixed(1)} s); ` +
    `${s.datagramsSent} datagrams sent, ${s.datagramsReceived} received`
  );
}

export function createProgress(o: ProgressOptions): ProgressReporter {
  const meter = new RateMeter();
  if (o.tty) {
    const bar = new cliProgress.SingleBar({
      stream: o.stream,
      format:
        'devices [{bar}] {value}/{total} registered | {pending} pending | {failed} failed | {nps} notifications/s | {duration}s',
      barsize: 30,
      fps: 5,
      hideCursor: true,
    });
    const payload = (s: SimulatorStats) => ({
      pending: s.registering,
      failed: s.failed,
      nps: meter.rate(s).toFixed(1),
    });
    bar.start(o.total, 0, payload(o.stats()));
    // Redraw on a timer too, so the rate moves when no device changes state.
    const timer = setInterval(() => bar.update(o.stats().registered, payload(o.stats())), 1000);
    timer.unref();
    return {
      update: (s) => bar.update(s.registered, payload(s)),
      stop: () => {
        clearInterval(timer);
        bar.stop();
      },
    };
  }
  const timer = setInterval(() => {
    const s = o.stats();
    o.line(progressLine(s, meter.rate(s)));
  }, o.intervalMs ?? 5000);
  timer.unref();
  return { update: () => {}, stop: () => clearInterval(timer) };
}
