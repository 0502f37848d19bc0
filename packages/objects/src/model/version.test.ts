import { describe, expect, it } from 'vitest';
import { compareVersions, normalizeVersion } from './version';

describe('versions', () => {
  it('defaults missing or blank versions to 1.0', () => {
    expect(normalizeVersion(undefined)).toBe('1.0');
    expect(normalizeVersion('  ')).toBe('1.0');
    expect(normalizeVersion(' 1.2 ')).toBe('1.2');
  });

  it('orders numerically, not as text', () => {
    const sorted = ['1.10', '2.0', '1.2', '1.0', '1.9'].sort(compareVersions);
    expect(sorted).toEqual(['1.0', '1.2', '1.9', '1.10', '2.0']);
    expect(compareVersions('1.0', '1')).toBe(0);
  });
});
