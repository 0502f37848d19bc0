/**
 * State of one observation (an LwM2M Observe or Observe-Composite relation): when it last
 * notified, per observed path what was last sent and evaluated, and its timers.
 */
import type { Peer } from '@lwm2m-ts/coap';
import type { LwM2mPath } from '@lwm2m-ts/objects';
import { NotificationHistory } from './notification-history';
import type { Sample } from './notify-rules';

export interface ObservationTarget {
  /** Observing server (its key in the attribute store). */
  readonly server: string;
  /** CoAP relation key: peer key + token. */
  readonly key: string;
  /** The CoAP path the engine keys the relation by ("/3/0/1", "/" for composite). */
  readonly coapPath: string;
  /** The observer as the request handler saw it, and the relation's token. */
  readonly peer: Peer;
  readonly token: Uint8Array;
  /** LwM2M paths observed (one, or several for Observe-Composite). */
  readonly paths: readonly LwM2mPath[];
  /** The endpoint the Observe came in on: it holds the CoAP relation (absent in unit tests). */
  readonly endpoint?: RelationEngine | undefined;
}

/** What the observation manager needs of the CoAP endpoint that keeps a relation. */
export interface RelationEngine {
  endObservation(peer: Peer, token: Uint8Array): boolean;
}

/** One observed path: evaluated with its own attributes. */
export class PathState {
  readonly key: string;
  lastSent: Sample;
  lastEvaluated: Sample;
  lastEvaluatedAt: number;
  /** A change satisfied this path's rules; waiting for its pmin. */
  due = false;
  pminTimer: unknown;
  epminTimer: unknown;
  epmaxTimer: unknown;
  evaluating = false;
  again = false;

  constructor(
    readonly path: LwM2mPath,
    now: number,
    sample: Sample,
  ) {
    this.key = path.toString();
    this.lastSent = sample;
    this.lastEvaluated = sample;
    this.lastEvaluatedAt = now;
  }
}

export class Relation {
  lastSentAt: number;
  readonly paths: readonly PathState[];
  /** Came due while offline: sent on wake. */
  queued = false;
  pmaxTimer: unknown;
  /** Stored notifications (hqmax) and those being delivered. */
  readonly history = new NotificationHistory();
  /** Snapshots being read for the history, in order. */
  recording: Promise<void> = Promise.resolve();

  constructor(
    readonly target: ObservationTarget,
    now: number,
    samples: ReadonlyMap<string, Sample>,
  ) {
    this.lastSentAt = now;
    this.paths = target.paths.map((p) => new PathState(p, now, samples.get(p.toString())));
  }

  /** Same CoAP path and the same LwM2M paths (a new Observe-Composite with the token is a new relation). */
  sameObservation(t: ObservationTarget): boolean {
    return (
      t.coapPath === this.target.coapPath &&
      t.paths.length === this.paths.length &&
      t.paths.every((p, i) => p.toString() === this.paths[i]!.key)
    );
  }

  /** A notification went out (or was stored) at `now` with these values. */
  markSent(now: number, samples: ReadonlyMap<string, Sample>): void {
    this.lastSentAt = now;
    for (const ps of this.paths) {
      const s = samples.get(ps.key);
      ps.lastSent = s;
      ps.lastEvaluated = s;
      ps.lastEvaluatedAt = now;
      ps.due = false;
    }
  }
}
