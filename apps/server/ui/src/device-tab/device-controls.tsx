/** The device side: a slider for the temperature sensor and the lamp the server switches. */
import { type TabDevice, type TabDeviceSnapshot, TEMPERATURE_RANGE } from './tab-device';

export function DeviceControls({ device, snapshot }: { device: TabDevice; snapshot: TabDeviceSnapshot }) {
  const { temperature, light } = snapshot;
  if (temperature === undefined && light === undefined) return null;
  return (
    <div className="device-controls">
      {temperature !== undefined && (
        <div className="card pad">
          <h3>
            Temperature <code>/3303/0/5700</code>
          </h3>
          <div className="temperature">
            <input
              type="range"
              min={TEMPERATURE_RANGE.min}
              max={TEMPERATURE_RANGE.max}
              step={0.5}
              value={temperature}
              aria-label="temperature"
              onChange={(e) => device.setTemperature(Number(e.target.value))}
              data-testid="temperature-slider"
            />
            <strong data-testid="temperature-value">{temperature.toFixed(1)} °C</strong>
          </div>
          <p className="muted">Observers are notified as you move it.</p>
        </div>
      )}
      {light !== undefined && (
        <div className="card pad">
          <h3>
            Light control <code>/3311/0</code>
          </h3>
          <div className="light">
            <span
              className={`lamp ${light.on ? 'on' : 'off'}`}
              style={light.on ? { opacity: 0.35 + (0.65 * light.dimmer) / 100 } : undefined}
              data-testid="light-state"
              data-on={light.on}
            >
              {light.on ? 'on' : 'off'}
            </span>
            <span className="muted" data-testid="light-dimmer">
              dimmer {light.dimmer} %
            </span>
            <button type="button" onClick={() => device.setLight(!light.on)} data-testid="light-toggle">
              Switch {light.on ? 'off' : 'on'}
            </button>
          </div>
          <p className="muted">
            A server Write of <code>/3311/0/5850</code> switches it.
          </p>
        </div>
      )}
    </div>
  );
}
