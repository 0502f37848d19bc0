/**
 * IPSO actuators and inputs: Light Control (3311), Set Point (3308), Push Button (3347) and
 * Timer (3340). Servers write them; the simulated user flips a switch or presses a button now
 * and then.
 */
import { CoapError } from '@lwm2m-ts/coap';
import { chance, type RandomSource, round, SimulatedInstance } from './simulated-instance';

const ON_OFF = 5850;
const DIMMER = 5851;
const ON_TIME = 5852;
const ACTIVE_POWER = 5805;
const POWER_FACTOR = 5820;
const COLOUR = 5706;
const UNITS = 5701;

/** Light Control (3311): on/off and dimmer (writable), On time and cumulative energy while on. */
export class LightControl extends SimulatedInstance {
  /** Seconds the light has been on and energy used, kept unrounded (5852 / 5805 show them rounded). */
  private onSeconds = 0;
  private energyWh = 0;

  constructor(private readonly ratedWatts = 9) {
    super({
      values: {
        [ON_OFF]: false,
        [DIMMER]: 100,
        [ON_TIME]: 0,
        [ACTIVE_POWER]: 0,
        [POWER_FACTOR]: 0.95,
        [COLOUR]: 'warm white',
        [UNITS]: 'Wh',
      },
      onWrite: (id) => {
        if (id === ON_OFF && !this.flag(ON_OFF)) this.resetOnTime();
        if (id === ON_TIME && this.number(ON_TIME) === 0) this.onSeconds = 0;
        if (id === ACTIVE_POWER) this.energyWh = this.number(ACTIVE_POWER);
        if (id === DIMMER && (this.number(DIMMER) < 0 || this.number(DIMMER) > 100))
          this.store(DIMMER, Math.min(100, Math.max(0, this.number(DIMMER))));
      },
    });
  }

  get on(): boolean {
    return this.flag(ON_OFF);
  }

  private resetOnTime(): void {
    this.onSeconds = 0;
    this.change(ON_TIME, 0);
  }

  tick(dtSeconds: number, random: RandomSource): void {
    // Someone at the wall switch: about once every 5 minutes.
    if (chance(1 / 300, dtSeconds, random)) {
      this.set(ON_OFF, !this.on);
      if (!this.on) this.resetOnTime();
    }
    if (!this.on) return;
    this.onSeconds += dtSeconds;
    this.change(ON_TIME, Math.floor(this.onSeconds));
    const watts = (this.ratedWatts * this.number(DIMMER, 100)) / 100;
    this.energyWh += (watts * dtSeconds) / 3600;
    this.change(ACTIVE_POWER, round(this.energyWh, 4));
  }
}

const SET_POINT = 5900;

/** Set Point (3308): a thermostat target the server writes; the occupant nudges it rarely. */
export class SetPoint extends SimulatedInstance {
  constructor(initial = 21) {
    super({ values: { [SET_POINT]: initial, [UNITS]: 'Cel', [COLOUR]: 'none' } });
  }

  tick(dtSeconds: number, random: RandomSource): void {
    if (!chance(1 / 600, dtSeconds, random)) return;
    const next = this.number(SET_POINT, 21) + (random() < 0.5 ? -0.5 : 0.5);
    this.set(SET_POINT, Math.min(30, Math.max(10, next)));
  }
}

const STATE = 5500;
const COUNTER = 5501;

/** Push Button (3347): Digital Input State goes true for one tick per press, the counter counts presses. */
export class PushButton extends SimulatedInstance {
  constructor() {
    super({ values: { [STATE]: false, [COUNTER]: 0, 5750: 'Doorbell' } });
  }

  /** A press: state true (released on the next tick), counter + 1. */
  press(): void {
    this.set(STATE, true);
    this.set(COUNTER, this.number(COUNTER) + 1);
  }

  tick(dtSeconds: number, random: RandomSource): void {
    if (this.flag(STATE)) this.set(STATE, false);
    else if (chance(1 / 60, dtSeconds, random)) this.press();
  }
}

const DELAY = 5521;
const REMAINING = 5538;
const TRIGGER = 5523;
const ENABLED = 5850;
const CUMULATIVE = 5544;
const DIGITAL_STATE = 5543;
const EXPIRIES = 5534;
const MODE = 5526;

/**
 * Timer (3340), one-shot mode: Trigger (5523) starts it for Delay Duration (5521) seconds;
 * Digital State (5543) is true while it runs, Counter (5534) counts expiries. A disabled
 * timer (5850 false) ignores Trigger.
 */
export class Timer extends SimulatedInstance {
  /** Unrounded remaining and cumulative seconds (5538 / 5544 show them to 0.1 s). */
  private remaining = 0;
  private cumulative = 0;

  constructor(delaySeconds = 30) {
    super({
      values: {
        [DELAY]: delaySeconds,
        [REMAINING]: 0,
        [ENABLED]: true,
        [CUMULATIVE]: 0,
        [DIGITAL_STATE]: false,
        [EXPIRIES]: 0,
        [MODE]: 1,
        5750: 'Staircase light timer',
      },
      execute: { [TRIGGER]: () => this.trigger() },
      onWrite: (id) => {
        if (id === ENABLED && !this.flag(ENABLED)) this.stop();
        if (id === DELAY && this.number(DELAY) < 0) this.store(DELAY, 0);
        if (id === CUMULATIVE) this.cumulative = this.number(CUMULATIVE);
      },
    });
  }

  get running(): boolean {
    return this.flag(DIGITAL_STATE);
  }

  trigger(): void {
    if (!this.flag(ENABLED)) throw CoapError.methodNotAllowed('timer is disabled (5850 is false)');
    this.remaining = this.number(DELAY);
    this.set(REMAINING, this.remaining);
    this.change(DIGITAL_STATE, true);
  }

  private stop(): void {
    this.remaining = 0;
    this.change(REMAINING, 0);
    this.change(DIGITAL_STATE, false);
  }

  tick(dtSeconds: number, random: RandomSource): void {
    if (!this.running) {
      if (this.flag(ENABLED) && chance(1 / 120, dtSeconds, random)) this.trigger();
      return;
    }
    this.remaining = Math.max(0, this.remaining - dtSeconds);
    this.cumulative += dtSeconds;
    this.change(REMAINING, round(this.remaining, 1));
    this.change(CUMULATIVE, round(this.cumulative, 1));
    if (this.remaining === 0) {
      this.set(DIGITAL_STATE, false);
      this.set(EXPIRIES, this.number(EXPIRIES) + 1);
    }
  }
}
