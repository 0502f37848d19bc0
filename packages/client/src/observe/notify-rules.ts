/**
 * When a changed value deserves a notification (OMA LwM2M TS Core 1.2 §5.1.2): with gt / lt /
 * st / edge set, only a threshold crossing, a step of at least st since the last notified
 * value, or the chosen boolean edge counts; without them any change does. pmin / pmax timing
 * is applied by the caller.
 */
import type { LwM2mNode } from '@lwm2m-ts/objects';
import type { NotificationAttributes } from '../attributes/notification-attributes';

/** What the rules look at: a number, a boolean, or anything else (compared by identity of rendering). */
export type Sample = number | boolean | string | undefined;

export interface RuleState {
  /** Value in the last notification sent. */
  readonly lastSent: Sample;
  /** Value at the previous evaluation (for threshold crossings). */
  readonly lastEvaluated: Sample;
}

/** Crossing gt: going above it, or back to or below it. */
const crossesGt = (gt: number, before: number, after: number): boolean =>
  (before <= gt && after > gt) || (before > gt && after <= gt);
/** Crossing lt: going below it, or back to or above it. */
const crossesLt = (lt: number, before: number, after: number): boolean =>
  (before >= lt && after < lt) || (before < lt && after >= lt);

export function hasValueConditions(a: NotificationAttributes): boolean {
  return a.gt !== undefined || a.lt !== undefined || a.st !== undefined || a.edge !== undefined;
}

/** True when `current` should be notified given the attributes and what was seen before. */
export function shouldNotify(a: NotificationAttributes, state: RuleState, current: Sample): boolean {
  if (a.edge !== undefined && typeof current === 'boolean') {
    const before = state.lastEvaluated;
    if (typeof before !== 'boolean' || before === current) return false;
    return a.edge === 1 ? current : !current;
  }
  if (typeof current === 'number' && (a.gt !== undefined || a.lt !== undefined || a.st !== undefined)) {
    const before = typeof state.lastEvaluated === 'number' ? state.lastEvaluated : undefined;
    const sent = typeof state.lastSent === 'number' ? state.lastSent : undefined;
    if (a.gt !== undefined && before !== undefined && crossesGt(a.gt, before, current)) return true;
    if (a.lt !== undefined && before !== undefined && crossesLt(a.lt, before, current)) return true;
    if (a.st !== undefined && sent !== undefined && Math.abs(current - sent) >= a.st) return true;
    return false;
  }
  // No value condition that applies: any actual change counts.
  return current === undefined || current !== state.lastSent;
}

/** pmax applies only when set, positive and not below pmin. */
export function effectivePmax(a: NotificationAttributes): number | undefined {
  if (a.pmax === undefined || a.pmax <= 0) return undefined;
  if (a.pmin !== undefined && a.pmax < a.pmin) return undefined;
  return a.pmax;
}

/** The value the notification rules compare (numbers and booleans of single values). */
export function sampleOf(node: LwM2mNode): Sample {
  const value =
    node.kind === 'resource-instance'
      ? node.value
      : node.kind === 'resource' && !node.multiple
        ? node.value
        : undefined;
  if (!value) return undefined;
  switch (value.type) {
    case 'integer':
    case 'unsigned':
    case 'float':
    case 'time':
      return Number(value.value);
    case 'boolean':
      return value.value;
    case 'string':
    case 'corelnk':
      return value.value;
    default:
      return undefined;
  }
}
