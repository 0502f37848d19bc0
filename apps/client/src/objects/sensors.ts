/** IPSO Temperature (3303) and Humidity (3304): readings that follow a mean-reverting random walk. */
import { IPSO } from '@lwm2m-ts/client';
import { type RandomSource, randomWalk, round, SimulatedInstance } from './simulated-instance';

export interface WalkingSensorOptions {
  readonly initial: number;
  readonly units: string;
  readonly mean: number;
  /** Jitter per sqrt(second). */
  readonly sigma: number;
  readonly minRange: number;
  readonly maxRange: number;
  readonly applicationType?: string;
}

/** A 3300-series sensor (5700 Sensor Value) with min/max measured values and Reset Min/Max (5605). */
export class WalkingSensor extends SimulatedInstance {
  constructor(private readonly o: WalkingSensorOptions) {
    super({
      values: {
        [IPSO.SENSOR_VALUE]: o.initial,
        [IPSO.MIN_MEASURED]: o.initial,
        [IPSO.MAX_MEASURED]: o.initial,
        [IPSO.MIN_RANGE]: o.minRange,
        [IPSO.MAX_RANGE]: o.maxRange,
        [IPSO.UNITS]: o.units,
        [IPSO.APPLICATION_TYPE]: o.applicationType,
      },
      execute: { [IPSO.RESET_MIN_MAX]: () => this.resetMinMax() },
      onWrite: () => {},
    });
  }

  get reading(): number {
    return this.number(IPSO.SENSOR_VALUE);
  }

  /** A new reading from the device side (also used by the `set` command): tracks min/max. */
  update(value: number): void {
    const v = round(value);
    this.change(IPSO.SENSOR_VALUE, v);
    if (v < this.number(IPSO.MIN_MEASURED, v)) this.set(IPSO.MIN_MEASURED, v);
    if (v > this.number(IPSO.MAX_MEASURED, v)) this.set(IPSO.MAX_MEASURED, v);
  }

  resetMinMax(): void {
    const v = this.reading;
    this.set(IPSO.MIN_MEASURED, v);
    this.set(IPSO.MAX_MEASURED, v);
  }

  tick(dtSeconds: number, random: RandomSource): void {
    const o = this.o;
    this.update(
      randomWalk(
        this.reading,
        { mean: o.mean, sigma: o.sigma, reversion: 0.05, min: o.minRange, max: o.maxRange },
        dtSeconds,
        random,
      ),
    );
  }
}

export const temperatureSensor = (random: RandomSource): WalkingSensor =>
  new WalkingSensor({
    initial: round(19 + random() * 4),
    units: 'Cel',
    mean: 21,
    sigma: 0.15,
    minRange: -40,
    maxRange: 85,
    applicationType: 'Room temperature',
  });

export const humiditySensor = (random: RandomSource): WalkingSensor =>
  new WalkingSensor({
    initial: round(40 + random() * 10),
    units: '%RH',
    mean: 45,
    sigma: 0.5,
    minRange: 0,
    maxRange: 100,
    applicationType: 'Room humidity',
  });
