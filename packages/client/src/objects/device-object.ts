/**
 * LwM2M Device object (3): identity strings, Reboot (4) and Factory Reset (5) hooks, error
 * codes with Reset Error Code (12), and Current Time (13) from the client's clock plus the
 * offset a server writes.
 */
import { type InstanceBinding, isMultipleContent, type Requester } from '../enabler/instance-enabler';
import { SimpleInstance } from '../enabler/simple-instance';

export interface DeviceInstanceOptions {
  readonly manufacturer?: string;
  readonly modelNumber?: string;
  readonly serialNumber?: string;
  readonly firmwareVersion?: string;
  readonly deviceType?: string;
  readonly hardwareVersion?: string;
  readonly softwareVersion?: string;
  /** Supported binding and modes (/3/0/16), default "U". */
  readonly supportedBindings?: string;
  /** Battery level % (/3/0/9). */
  readonly batteryLevel?: number;
  /** Memory free / total (KB). */
  readonly memoryFree?: number;
  readonly memoryTotal?: number;
  readonly utcOffset?: string;
  readonly timezone?: string;
  /** Called on Execute /3/0/4 (after the 2.04 went out). */
  readonly reboot?: (requester: Requester) => void | Promise<void>;
  /** Called on Execute /3/0/5. */
  readonly factoryReset?: (requester: Requester) => void | Promise<void>;
}

/** Error codes (/3/0/11). */
export const DeviceError = {
  NONE: 0,
  LOW_BATTERY: 1,
  EXTERNAL_POWER_OFF: 2,
  GPS_FAILURE: 3,
  LOW_SIGNAL: 4,
  OUT_OF_MEMORY: 5,
  SMS_FAILURE: 6,
  IP_CONNECTIVITY_FAILURE: 7,
  PERIPHERAL_MALFUNCTION: 8,
} as const;

export class DeviceInstance extends SimpleInstance {
  private now: () => number = Date.now;
  /** Seconds added to the clock by a server's Write of /3/0/13. */
  private timeOffset = 0;
  private readonly errors = new Set<number>();

  constructor(private readonly o: DeviceInstanceOptions = {}) {
    super({
      values: {
        0: o.manufacturer,
        1: o.modelNumber,
        2: o.serialNumber,
        3: o.firmwareVersion,
        9: o.batteryLevel,
        10: o.memoryFree,
        14: o.utcOffset,
        15: o.timezone,
        16: o.supportedBindings ?? 'U',
        17: o.deviceType,
        18: o.hardwareVersion,
        19: o.softwareVersion,
        21: o.memoryTotal,
      },
      readers: {
        11: () => (this.errors.size === 0 ? [DeviceError.NONE] : [...this.errors].sort((a, b) => a - b)),
        13: () => Math.floor(this.now() / 1000) + this.timeOffset,
      },
      execute: {
        4: (_args, requester) => this.later(() => this.o.reboot?.(requester)),
        5: (_args, requester) => this.later(() => this.o.factoryReset?.(requester)),
        12: () => {
          this.errors.clear();
          this.changed(11);
        },
      },
      onWrite: (id, content) => {
        if (id === 13 && !isMultipleContent(content)) {
          this.timeOffset = Number(content.value) - Math.floor(this.now() / 1000);
        }
      },
    });
  }

  override bind(binding: InstanceBinding): void {
    super.bind(binding);
    this.now = () => binding.control.now();
  }

  /** Raises an error code (/3/0/11); observers are notified. */
  raiseError(code: number): void {
    if (code === DeviceError.NONE) return;
    this.errors.add(code);
    this.changed(11);
  }

  private changed(id: number): void {
    this.binding?.changed([id]);
  }

  /** Runs a device action after the response to the Execute went out. */
  private later(action: () => void | Promise<void>): void {
    const run = () =>
      void Promise.resolve()
        .then(action)
        .catch(() => {});
    if (this.binding) this.binding.control.defer(run);
    else run();
  }
}

export const deviceInstance = (o: DeviceInstanceOptions = {}): DeviceInstance => new DeviceInstance(o);
