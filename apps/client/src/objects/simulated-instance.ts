/**
 * Base of every simulated object instance: a SimpleInstance whose values move on each tick of
 * the simulator (one shared ticker drives all devices), with an injected random source.
 */
import { type PlainContent, SimpleInstance, type SimpleInstanceOptions } from '@lwm2m-ts/client';

/** Uniform [0, 1), like Math.random; injected so tests and runs can be reproducible. */
export type RandomSource = () => number;

export abstract class SimulatedInstance extends SimpleInstance {
  constructor(options: SimpleInstanceOptions) {
    super(options);
  }

  /** Advances the simulation by `dtSeconds`; changed values notify observers. */
  abstract tick(dtSeconds: number, random: RandomSource): void;

  /** Sets a value only when it differs (no notification for an unchanged reading). */
  protected change(resourceId: number, plain: PlainContent): boolean {
    const current = this.value(resourceId);
    if (current === plain) return false;
    this.set(resourceId, plain);
    return true;
  }

  protected number(resourceId: number, fallback = 0): number {
    const v = this.value(resourceId);
    return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : fallback;
  }

  protected flag(resourceId: number): boolean {
    return this.value(resourceId) === true;
  }
}

/** Normal deviate (Box-Muller) from a uniform source. */
export function gaussian(random: RandomSource): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * One step of a mean-reverting random walk (Ornstein-Uhlenbeck): drifts back towards `mean`,
 * jitters by `sigma` per sqrt(second), stays inside [min, max].
 */
export function randomWalk(
  value: number,
  o: { mean: number; sigma: number; reversion: number; min: number; max: number },
  dtSeconds: number,
  random: RandomSource,
): number {
  const next = value + o.reversion * (o.mean - value) * dtSeconds + o.sigma * Math.sqrt(dtSeconds) * gaussian(random);
  return Math.min(o.max, Math.max(o.min, next));
}

export const round = (value: number, decimals = 2): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

/** True with probability `ratePerSecond * dtSeconds` (capped at 1). */
export const chance = (ratePerSecond: number, dtSeconds: number, random: RandomSource): boolean =>
  random() < Math.min(1, ratePerSecond * dtSeconds);

/** A reproducible random source (mulberry32) for `--seed` and tests. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
