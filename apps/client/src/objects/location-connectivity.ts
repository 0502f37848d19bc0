/**
 * Location (6): a slow walk around a start point, with speed and timestamp.
 * Connectivity Monitoring (4): LTE with a wandering signal strength and the socket's address.
 */
import { gaussian, type RandomSource, randomWalk, round, SimulatedInstance } from './simulated-instance';

const LAT = 0;
const LON = 1;
const ALT = 2;
const RADIUS = 3;
const TIMESTAMP = 5;
const SPEED = 6;
const METERS_PER_DEGREE = 111_320;

export class Location extends SimulatedInstance {
  /** Unrounded position: small steps (a high --rate) must add up, not round away. */
  private lat: number | undefined;
  private lon: number | undefined;

  constructor(
    private readonly now: () => number,
    random: RandomSource,
  ) {
    // Somewhere in a 0.2° box around Grenoble, where the first LwM2M plugfests met.
    super({
      values: {
        [LAT]: round(45.1885 + (random() - 0.5) * 0.2, 6),
        [LON]: round(5.7245 + (random() - 0.5) * 0.2, 6),
        [ALT]: round(212 + random() * 20, 1),
        [RADIUS]: 5,
        [TIMESTAMP]: new Date(now()),
        [SPEED]: 0,
      },
    });
  }

  tick(dtSeconds: number, random: RandomSource): void {
    // Walking pace (~1.2 m/s) in a wandering direction, or standing still.
    const walking = random() < 0.7;
    const speed = walking ? Math.max(0, 1.2 + 0.3 * gaussian(random)) : 0;
    const heading = random() * 2 * Math.PI;
    const meters = speed * dtSeconds;
    // A server may have written a new position: start from what is stored when it differs.
    const lat = this.lat !== undefined && round(this.lat, 6) === this.number(LAT) ? this.lat : this.number(LAT);
    const lon = this.lon !== undefined && round(this.lon, 6) === this.number(LON) ? this.lon : this.number(LON);
    this.lat = lat + (meters * Math.cos(heading)) / METERS_PER_DEGREE;
    this.lon = lon + (meters * Math.sin(heading)) / (METERS_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
    this.change(LAT, round(this.lat, 6));
    this.change(LON, round(this.lon, 6));
    this.change(SPEED, round(speed, 2));
    this.set(TIMESTAMP, new Date(this.now()));
  }
}

const BEARER = 0;
const AVAILABLE = 1;
const SIGNAL = 2;
const QUALITY = 3;
const IP = 4;
const UTILIZATION = 6;
const APN = 7;
const CELL = 8;
const SMNC = 9;
const SMCC = 10;

/** Network Bearer values (Connectivity Monitoring /4/0/0). */
export const Bearer = { LTE_FDD: 6, WLAN: 21, ETHERNET: 41 } as const;

export class ConnectivityMonitoring extends SimulatedInstance {
  /** Unrounded signal strength (5/0/2 shows whole dBm). */
  private dbm: number | undefined;

  constructor(ipAddress: () => string, random: RandomSource) {
    super({
      values: {
        [BEARER]: Bearer.LTE_FDD,
        [AVAILABLE]: [Bearer.LTE_FDD, Bearer.WLAN],
        [SIGNAL]: Math.round(-75 - random() * 20),
        [QUALITY]: 80,
        [UTILIZATION]: 5,
        [APN]: ['iot.example'],
        [CELL]: 10_000 + Math.floor(random() * 50_000),
        [SMNC]: 1,
        [SMCC]: 208,
      },
      readers: { [IP]: () => [ipAddress()] },
    });
  }

  tick(dtSeconds: number, random: RandomSource): void {
    const stored = this.number(SIGNAL, -85);
    const dbm = randomWalk(
      this.dbm !== undefined && Math.round(this.dbm) === stored ? this.dbm : stored,
      { mean: -85, sigma: 1.5, reversion: 0.02, min: -120, max: -50 },
      dtSeconds,
      random,
    );
    this.dbm = dbm;
    this.change(SIGNAL, Math.round(dbm));
    // Link quality (0-100 %) follows the signal: -50 dBm is perfect, -120 dBm unusable.
    this.change(QUALITY, Math.round(((dbm + 120) / 70) * 100));
    this.change(UTILIZATION, Math.round(Math.min(100, Math.max(0, this.number(UTILIZATION) + gaussian(random)))));
  }
}
