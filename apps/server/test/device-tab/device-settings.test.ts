import { describe, expect, it } from 'vitest';
import { defaultEndpoint, defaultSettings, settingsProblem } from '../../ui/src/device-tab/device-settings';

describe('device settings', () => {
  it('defaults to browser-<6 hex digits> from the random source', () => {
    expect(defaultEndpoint((b) => b.fill(0xab))).toBe('browser-ababab');
    expect(defaultEndpoint()).toMatch(/^browser-[0-9a-f]{6}$/);
    const s = defaultSettings((b) => b.fill(1));
    expect(s).toEqual({ endpoint: 'browser-010101', lifetime: 300, temperature: true, light: true });
    expect(settingsProblem(s)).toBeUndefined();
  });

  it('names what is wrong', () => {
    const ok = defaultSettings();
    expect(settingsProblem({ ...ok, endpoint: '  ' })).toMatch(/empty/);
    expect(settingsProblem({ ...ok, endpoint: 'a b' })).toMatch(/letters, digits/);
    expect(settingsProblem({ ...ok, endpoint: 'x&ep=y' })).toMatch(/letters, digits/);
    expect(settingsProblem({ ...ok, endpoint: 'x'.repeat(129) })).toMatch(/128/);
    expect(settingsProblem({ ...ok, lifetime: 10 })).toMatch(/lifetime/);
    expect(settingsProblem({ ...ok, lifetime: 1.5 })).toMatch(/lifetime/);
    expect(settingsProblem({ ...ok, lifetime: Number.NaN })).toMatch(/lifetime/);
    expect(settingsProblem({ ...ok, lifetime: 86_401 })).toMatch(/lifetime/);
  });
});
