/** The Register form: endpoint name, lifetime and which objects the tab offers. */
import { useState } from 'react';
import { type DeviceSettings, defaultSettings, MAX_LIFETIME, MIN_LIFETIME, settingsProblem } from './device-settings';

export function SettingsForm({
  disabled,
  onRegister,
}: {
  /** Locked while a device is registering or registered. */
  disabled: boolean;
  onRegister: (settings: DeviceSettings) => void;
}) {
  const [settings, setSettings] = useState(defaultSettings);
  const [lifetimeText, setLifetimeText] = useState(String(settings.lifetime));
  const current: DeviceSettings = { ...settings, lifetime: Number(lifetimeText) };
  const problem = settingsProblem(current);
  const change = (update: Partial<DeviceSettings>) => setSettings((s) => ({ ...s, ...update }));

  return (
    <form
      className="card pad form-grid"
      data-testid="device-settings"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) onRegister({ ...current, endpoint: current.endpoint.trim() });
      }}
    >
      <label>
        Endpoint name
        <input
          value={settings.endpoint}
          disabled={disabled}
          onChange={(e) => change({ endpoint: e.target.value })}
          data-testid="device-endpoint"
        />
      </label>
      <label>
        Lifetime (s)
        <input
          type="number"
          min={MIN_LIFETIME}
          max={MAX_LIFETIME}
          value={lifetimeText}
          disabled={disabled}
          onChange={(e) => setLifetimeText(e.target.value)}
          data-testid="device-lifetime"
        />
      </label>
      <fieldset className="device-objects" disabled={disabled}>
        <legend>Objects</legend>
        <label>
          <input type="checkbox" checked disabled /> Device <code>/3</code> (from this browser)
        </label>
        <label>
          <input
            type="checkbox"
            checked={settings.temperature}
            onChange={(e) => change({ temperature: e.target.checked })}
            data-testid="device-temperature-enabled"
          />{' '}
          Temperature <code>/3303</code> (a slider)
        </label>
        <label>
          <input
            type="checkbox"
            checked={settings.light}
            onChange={(e) => change({ light: e.target.checked })}
            data-testid="device-light-enabled"
          />{' '}
          Light control <code>/3311</code> (the server switches it)
        </label>
      </fieldset>
      <div className="device-register">
        <button
          type="submit"
          className="primary"
          disabled={disabled || problem !== undefined}
          data-testid="device-register"
        >
          Register
        </button>
        {problem && !disabled && <span className="error-text">{problem}</span>}
      </div>
    </form>
  );
}
