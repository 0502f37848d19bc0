/**
 * IPSO sensors (3300-series: Temperature 3303, Humidity 3304, ...): Sensor Value (5700) with
 * Min / Max Measured Value (5601 / 5602) tracked on every update, Reset Min and Max (5605),
 * units (5701) and range (5603 / 5604).
 */
import { CoapError } from '@lwm2m-ts/coap';
import type { InstanceBinding } from '../enabler/instance-enabler';
import { SimpleInstance } from '../enabler/simple-instance';

export const IPSO = {
  MIN_MEASURED: 5601,
  MAX_MEASURED: 5602,
  MIN_RANGE: 5603,
  MAX_RANGE: 5604,
  RESET_MIN_MAX: 5605,
  SENSOR_VALUE: 5700,
  UNITS: 5701,
  APPLICATION_TYPE: 5750,
} as const;

export interface IpsoSensorOptions {
  readonly value: number;
  readonly units?: string;
  readonly minRange?: number;
  readonly maxRange?: number;
  readonly applicationType?: string;
}

export class IpsoSensor extends SimpleInstance {
  constructor(o: IpsoSensorOptions) {
    super({
      values: {
        [IPSO.SENSOR_VALUE]: o.value,
        [IPSO.MIN_MEASURED]: o.value,
        [IPSO.MAX_MEASURED]: o.value,
        [IPSO.UNITS]: o.units,
        [IPSO.MIN_RANGE]: o.minRange,
        [IPSO.MAX_RANGE]: o.maxRange,
        [IPSO.APPLICATION_TYPE]: o.applicationType,
      },
      execute: {
        [IPSO.RESET_MIN_MAX]: () => this.resetMinMax(),
      },
    });
  }

  override bind(binding: InstanceBinding): void {
    if (!binding.model.resources.has(IPSO.SENSOR_VALUE))
      throw new RangeError(`object ${binding.model.id} (${binding.model.name}) is not an IPSO sensor (no 5700)`);
    super.bind(binding);
  }

  override resourceIds(): number[] {
    return super.resourceIds().filter((id) => this.binding?.model.resources.has(id) ?? true);
  }

  /** The current reading. */
  get reading(): number {
    return Number(this.value(IPSO.SENSOR_VALUE));
  }

  /** A new reading: updates 5700 and, when exceeded, 5601 / 5602; observers are told. */
  update(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`sensor value must be finite, got ${value}`);
    const changed = [IPSO.SENSOR_VALUE as number];
    this.setQuietly(IPSO.SENSOR_VALUE, value);
    if (value < Number(this.value(IPSO.MIN_MEASURED))) {
      this.setQuietly(IPSO.MIN_MEASURED, value);
      changed.push(IPSO.MIN_MEASURED);
    }
    if (value > Number(this.value(IPSO.MAX_MEASURED))) {
      this.setQuietly(IPSO.MAX_MEASURED, value);
      changed.push(IPSO.MAX_MEASURED);
    }
    this.binding?.changed(changed);
  }

  /** Execute 5605: min and max measured restart from the current reading. */
  resetMinMax(): void {
    if (!this.binding) throw CoapError.serviceUnavailable('sensor is not bound');
    const v = this.reading;
    this.setQuietly(IPSO.MIN_MEASURED, v);
    this.setQuietly(IPSO.MAX_MEASURED, v);
    this.binding.changed([IPSO.MIN_MEASURED, IPSO.MAX_MEASURED]);
  }

  private setQuietly(id: number, value: number): void {
    if (this.model.resources.has(id)) this.store(id, value);
  }
}

export const ipsoSensor = (o: IpsoSensorOptions): IpsoSensor => new IpsoSensor(o);
